using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// What one <c>statx</c> tells of an entry, without following a link: kind, size, modification time in
/// nanoseconds since the epoch, permission bits, inode, owner and group, and a device's numbers.
/// <see cref="ChangeNanoseconds"/> is its change time (ctime), which no user can set back (0 when unknown).
/// <see cref="IsSpecial"/>: a FIFO, socket or device, which is never opened (a FIFO would block a read
/// forever, a device never end).
/// </summary>
public readonly record struct StatInfo(
    bool IsDirectory,
    bool IsLink,
    long Size,
    long ModifiedNs,
    int Mode,
    ulong Inode,
    long ChangeNanoseconds = 0,
    EntryKind Kind = EntryKind.File,
    uint? Owner = null,
    uint Group = 0,
    ulong Device = 0)
{
    public DateTime ModifiedUtc => FileTime.ToDateTime(ModifiedNs);

    public bool IsSpecial => !IsDirectory && Kind is not (EntryKind.File or EntryKind.Link);
}

/// <summary>One entry of a directory listing (a class, so that lists of it need no code compiled at run time), and a link's target.</summary>
public sealed record DirectoryChild(string Name, StatInfo Stat)
{
    public string? LinkTarget { get; init; }
}

/// <summary>
/// The few file operations that bypass <c>IFileSystem</c>, on Linux only, for speed. On a tree of many
/// small files, system calls per file are most of a run's time: through <c>IFileInfo</c>, reading size,
/// time and mode costs two or three <c>stat</c>s per file where one <c>statx(2)</c> will do (and .NET has
/// no way at all to read the inode, which keys the hash cache); <c>File.Copy</c> plus setting time and
/// mode costs about twenty calls per file where ten will do. Elsewhere, or when the C library lacks
/// <c>statx</c>, <see cref="IsAvailable"/> is false and callers use <c>IFileSystem</c>.
/// </summary>
public static partial class NativeFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;
    private const int Fifo = 0x1000;
    private const int CharDevice = 0x2000;
    private const int BlockDevice = 0x6000;
    private const int Socket = 0xC000;

    // struct dirent of glibc and musl on 64-bit Linux: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
    private const int DirentTypeOffset = 18;
    private const int DirentNameOffset = 19;
    private const byte DirectoryEntryType = 4;

    private static readonly Lazy<bool> Available = new(Probe);

    public static bool IsAvailable => Available.Value;

    /// <summary>What one <c>statx(2)</c> of <paramref name="path"/> tells, without following a link; false when it fails.</summary>
    public static bool TryStat(string path, out StatInfo info)
    {
        var buffer = default(StatxBuffer);
        if (Statx(AtFdCwd, PathBytes(path), AtSymlinkNoFollow, StatxBasicStats, ref buffer) != 0)
        {
            info = default;
            return false;
        }
        info = Decode(buffer);
        return true;
    }

    /// <summary>
    /// Whether the open file <paramref name="fd"/> is a regular file, and its size then (one
    /// <c>statx(2)</c> of the descriptor).
    /// </summary>
    public static unsafe bool IsRegularFile(int fd, out long size)
    {
        var buffer = default(StatxBuffer);
        byte empty = 0;
        var regular = StatxAt(fd, &empty, AtEmptyPath, StatxType | StatxSize, ref buffer) == 0 && (buffer.Mode & FileTypeMask) == RegularFile;
        size = regular ? (long)buffer.Size : 0;
        return regular;
    }

    private static unsafe bool TryStatAt(int directoryFd, byte* name, out StatInfo info)
    {
        var buffer = default(StatxBuffer);
        if (StatxAt(directoryFd, name, AtSymlinkNoFollow, StatxBasicStats, ref buffer) != 0)
        {
            info = default;
            return false;
        }
        info = Decode(buffer);
        return true;
    }

    private static StatInfo Decode(in StatxBuffer buffer)
    {
        var type = buffer.Mode & FileTypeMask;
        var kind = type switch
        {
            SymbolicLink => EntryKind.Link,
            Fifo => EntryKind.Fifo,
            Socket => EntryKind.Socket,
            CharDevice => EntryKind.CharDevice,
            BlockDevice => EntryKind.BlockDevice,
            _ => EntryKind.File,
        };
        return new StatInfo(
            type == Directory,
            type == SymbolicLink,
            type == RegularFile || type == SymbolicLink ? (long)buffer.Size : 0,
            buffer.MtimeSeconds * FileTime.NanosPerSecond + buffer.MtimeNanoseconds,
            buffer.Mode & 0xFFF,
            buffer.Inode,
            buffer.CtimeSeconds * FileTime.NanosPerSecond + buffer.CtimeNanoseconds,
            kind,
            buffer.Uid,
            buffer.Gid,
            type is CharDevice or BlockDevice ? DeviceNumbers.Make(buffer.RdevMajor, buffer.RdevMinor) : 0);
    }

    /// <summary>
    /// One directory's entries, without "." and "..", each with what one <c>statx(2)</c> tells (and a
    /// link's target, read by <c>readlinkat(2)</c>). The directory is read once (<c>opendir</c>/<c>readdir</c>)
    /// and each entry is looked up relative to it, by the name's own bytes: no full path is built,
    /// encoded or walked by the kernel per entry. An entry gone between the listing and its lookup is
    /// left out, as if it had never been there.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The directory may not be read.</exception>
    /// <exception cref="IOException">It cannot be read for another reason.</exception>
    public static unsafe List<DirectoryChild> ListDirectory(string directory)
    {
        var handle = OpenDir(PathBytes(directory));
        if (handle == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            var message = Marshal.GetPInvokeErrorMessage(errno);
            throw errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message);
        }
        try
        {
            var fd = DirFd(handle);
            var children = new List<DirectoryChild>();
            while (true)
            {
                var entry = ReadDir(handle);
                if (entry == null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
                    }
                    return children;
                }
                var nameBytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + DirentNameOffset);
                if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8))
                {
                    continue;
                }
                var name = NameBytes.Decode(nameBytes);
                if (TryStatAt(fd, entry + DirentNameOffset, out var stat))
                {
                    children.Add(new DirectoryChild(name, stat)
                    {
                        LinkTarget = stat.IsLink ? ReadLinkAt(fd, entry + DirentNameOffset) : null,
                    });
                }
            }
        }
        finally
        {
            _ = CloseDir(handle);
        }
    }

    /// <summary>
    /// Copies <paramref name="from"/> to a new file <paramref name="to"/> (which must not exist) with the
    /// kernel's <c>copy_file_range</c>, then sets its metadata (<see cref="SetMeta"/>). Returns the
    /// bytes copied and the source's modification time after copying; the caller compares them with what
    /// it planned.
    /// </summary>
    public static (long Copied, DateTime SourceModifiedUtc) CopyNew(string from, string to, FileMeta meta)
    {
        using var source = OpenRegularFile(from);
        var length = RandomAccess.GetLength(source);
        using var target = CreateNew(to);
        long copied = 0;
        var kernelCopy = true;
        while (kernelCopy)
        {
            // Ask for one byte more than is left, so that a file that grew meanwhile is noticed; a
            // shorter answer from a regular file means its end, which saves a call per small file.
            var wanted = Math.Min(length - copied + 1, 1L << 30);
            var n = CopyFileRange(source, IntPtr.Zero, target, IntPtr.Zero, (nuint)wanted, 0);
            if (n > 0)
            {
                copied += n;
                // Short of the length: ask again, and the next call tells the end (the file shrank) or
                // the error (a full disk, a file size limit).
                if (n < wanted && copied >= length)
                {
                    break;
                }
            }
            else if (n == 0)
            {
                break;
            }
            else if (copied == 0)
            {
                // Not supported here (old kernel, some file systems): copy through user space.
                kernelCopy = false;
            }
            else
            {
                throw new IOException($"cannot copy {from}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        if (!kernelCopy)
        {
            copied = CopyThroughBuffer(source, target);
        }
        SetMeta(to, meta, isLink: false);
        return (copied, File.GetLastWriteTimeUtc(source));
    }

    /// <summary>
    /// Renames a file in one call; without <paramref name="replace"/>, atomically refuses an existing
    /// target (<c>RENAME_NOREPLACE</c>). False when the file system cannot do that, so the caller falls back.
    /// </summary>
    public static bool TryRename(string from, string to, bool replace)
    {
        var errno = Rename(from, to, replace);
        return errno switch
        {
            0 => true,
            Invalid or NotImplemented => false,
            Exists => throw new IOException($"cannot move {from} to {to}: the target exists"),
            _ => throw new IOException($"cannot move {from} to {to}: {Marshal.GetPInvokeErrorMessage(errno)}"),
        };
    }

    /// <summary>
    /// <c>renameat2(2)</c> of two paths, without <paramref name="replace"/> refusing an existing target
    /// atomically (<c>RENAME_NOREPLACE</c>): 0, or the error number (<see cref="Invalid"/> or
    /// <see cref="NotImplemented"/> where the kernel or file system cannot refuse).
    /// </summary>
    public static int Rename(string from, string to, bool replace) =>
        RenameAt2(AtFdCwd, PathBytes(from), AtFdCwd, PathBytes(to), replace ? 0u : NoReplace) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Removes a file, link or node (never a directory): <c>unlinkat(2)</c>.</summary>
    public static void Delete(string path) => Check(UnlinkAt(AtFdCwd, PathBytes(path), 0), "cannot remove", path);

    /// <summary>Removes an empty directory: <c>unlinkat(2)</c> with <c>AT_REMOVEDIR</c>.</summary>
    public static void RemoveDirectory(string path) => Check(UnlinkAt(AtFdCwd, PathBytes(path), RemoveDirectoryFlag), "cannot remove the directory", path);

    /// <summary>
    /// Opens a regular file for reading; never waits on a FIFO put where a file was, and refuses anything
    /// but a regular file before a byte is read.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">It cannot be opened, or it is not a regular file.</exception>
    public static SafeFileHandle OpenRegularFile(string path)
    {
        var handle = Open(path, OpenReadOnly | OpenNoControllingTerminal | OpenNonBlocking | OpenCloseOnExec, 0);
        if (!IsRegularFile((int)handle.DangerousGetHandle(), out _))
        {
            handle.Dispose();
            throw new IOException($"cannot read {path}: not a regular file");
        }
        return handle;
    }

    /// <summary>Creates a new file for writing, refusing one that exists (<c>O_CREAT | O_EXCL</c>), never through a link.</summary>
    public static SafeFileHandle CreateNew(string path) =>
        Open(path, OpenWriteOnly | OpenCreate | OpenExclusive | OpenNoControllingTerminal | OpenCloseOnExec, 0b110_110_110);

    private static SafeFileHandle Open(string path, int flags, uint mode)
    {
        var fd = OpenFile(PathBytes(path), flags, mode);
        if (fd < 0)
        {
            throw Failure("cannot open", path);
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>A path as the system calls take it: its name's bytes (<see cref="NameBytes"/>) and a NUL.</summary>
    internal static byte[] PathBytes(string path)
    {
        if (!NameBytes.HasEscapes(path) && !path.Contains('\0', StringComparison.Ordinal))
        {
            // The common case, in one allocation: UTF-8 and the NUL.
            var utf8 = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
            System.Text.Encoding.UTF8.GetBytes(path, utf8);
            return utf8;
        }
        var bytes = NameBytes.Encode(path);
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            throw new IOException($"{path}: a path cannot hold a NUL");
        }
        Array.Resize(ref bytes, bytes.Length + 1);
        return bytes;
    }

    private const int OpenReadOnly = 0;
    private const int OpenWriteOnly = 1;
    private const int OpenCreate = 0x40;
    private const int OpenExclusive = 0x80;
    private const int OpenNoControllingTerminal = 0x100;
    private const int OpenNonBlocking = 0x800;
    private const int OpenCloseOnExec = 0x80000;
    private const int RemoveDirectoryFlag = 0x200;

    public const int Exists = 17;
    public const int OtherDevice = 18;
    public const int Invalid = 22;
    public const int NotImplemented = 38;
    private const uint NoReplace = 1;

    private static long CopyThroughBuffer(SafeFileHandle source, SafeFileHandle target)
    {
        var buffer = new byte[1 << 20];
        long offset = 0;
        int n;
        while ((n = RandomAccess.Read(source, buffer, offset)) > 0)
        {
            RandomAccess.Write(target, buffer.AsSpan(0, n), offset);
            offset += n;
        }
        return offset;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return false;
        }
        try
        {
            return TryStat("/", out var root) && root.IsDirectory;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The target of the link at <paramref name="path"/>, as written; never followed.</summary>
    public static unsafe string ReadLink(string path)
    {
        var bytes = PathBytes(path);
        fixed (byte* name = bytes)
        {
            return ReadLinkAt(AtFdCwd, name) ?? throw Failure("cannot read the link", path);
        }
    }

    private static unsafe string? ReadLinkAt(int directoryFd, byte* name)
    {
        var buffer = new byte[4096];
        fixed (byte* target = buffer)
        {
            var n = ReadLinkAtCall(directoryFd, name, target, (nuint)buffer.Length);
            return n < 0 ? null : NameBytes.Decode(buffer.AsSpan(0, (int)n));
        }
    }

    /// <summary>Makes a symbolic link at <paramref name="path"/> holding <paramref name="target"/>.</summary>
    public static void MakeLink(string target, string path) => Check(SymLink(PathBytes(target), PathBytes(path)), "cannot make the link", path);

    /// <summary>Makes a FIFO, socket or device at <paramref name="path"/>; its bits are set afterwards.</summary>
    public static void MakeNode(string path, EntryKind kind, ulong device)
    {
        var type = kind switch
        {
            EntryKind.Fifo => Fifo,
            EntryKind.Socket => Socket,
            EntryKind.CharDevice => CharDevice,
            EntryKind.BlockDevice => BlockDevice,
            _ => throw new IOException($"cannot make {path}: {kind} is not a FIFO, socket or device"),
        };
        Check(MakeNodeAt(AtFdCwd, PathBytes(path), (uint)(type | 0b110_000_000), kind is EntryKind.CharDevice or EntryKind.BlockDevice ? device : 0), "cannot make", path);
    }

    /// <summary>Makes a directory that its owner may fill (its own bits are set once it is full).</summary>
    public static void MakeDirectory(string path) => Check(MkDir(PathBytes(path), 0b111_111_111), "cannot make the directory", path);

    /// <summary>
    /// Sets an entry's owner and group (<see cref="FileMeta.NoOwner"/> leaves one as it is), then its
    /// permission bits (not a link's: Linux has none to set, and <c>chmod</c> would follow it), then its
    /// modification time to the nanosecond; never through a link. The owner first, since giving a file
    /// away clears its setuid and setgid bits.
    /// </summary>
    /// <param name="path">The entry; a link is never followed.</param>
    /// <param name="meta">What it gets.</param>
    /// <param name="isLink">Whether it is a link (whose bits are left alone).</param>
    /// <param name="keepSameSecond">
    /// Leave a time that is already in the same whole second alone, as rsync leaves it: times are
    /// compared by whole seconds, so a change of bits or owner alone does not move them.
    /// </param>
    public static void SetMeta(string path, FileMeta meta, bool isLink, bool keepSameSecond = false)
    {
        var bytes = PathBytes(path);
        if (meta.Owner != FileMeta.NoOwner || meta.Group != FileMeta.NoOwner)
        {
            Check(ChownAt(AtFdCwd, bytes, meta.Owner, meta.Group, AtSymlinkNoFollow), "cannot change the owner of", path);
        }
        if (!isLink)
        {
            Check(ChmodAt(AtFdCwd, bytes, (uint)(meta.Mode & 0xFFF), 0), "cannot change the permission bits of", path);
        }
        if (keepSameSecond && TryStat(path, out var now) && FileTime.Seconds(now.ModifiedNs) == FileTime.Seconds(meta.ModifiedNs))
        {
            return;
        }
        Span<long> times = [0, UtimeOmit, FileTime.Seconds(meta.ModifiedNs), FileTime.Nanos(meta.ModifiedNs)];
        Check(UtimensAt(AtFdCwd, bytes, ref times[0], AtSymlinkNoFollow), "cannot set the time of", path);
    }

    /// <summary>Sets the permission bits of an entry that is not a link (<c>fchmodat(2)</c>).</summary>
    public static void SetMode(string path, int mode) =>
        Check(ChmodAt(AtFdCwd, PathBytes(path), (uint)(mode & 0xFFF), 0), "cannot change the permission bits of", path);

    private const long UtimeOmit = (1L << 30) - 2;

    private static void Check(int result, string what, string path)
    {
        if (result != 0)
        {
            throw Failure(what, path);
        }
    }

    private static Exception Failure(string what, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        var message = $"{what} {path}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message);
    }

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    private static unsafe partial nint ReadLinkAtCall(int dirfd, byte* path, byte* buffer, nuint size);

    // Every path is passed as its bytes and a NUL (PathBytes): a string marshalled as UTF-8 would lose
    // the bytes of a name that is not UTF-8.
    [LibraryImport("libc", EntryPoint = "symlink", SetLastError = true)]
    private static partial int SymLink(byte[] target, byte[] path);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true)]
    private static partial int MakeNodeAt(int dirfd, byte[] path, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static partial int MkDir(byte[] path, uint mode);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true)]
    private static partial int ChownAt(int dirfd, byte[] path, uint owner, uint group, int flags);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true)]
    private static partial int ChmodAt(int dirfd, byte[] path, uint mode, int flags);

    /// <summary><c>utimensat(2)</c>: <paramref name="times"/> is the first of two <c>struct timespec</c> (access, modification).</summary>
    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static partial int UtimensAt(int dirfd, byte[] path, ref long times, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAt(int dirfd, byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int OpenFile(byte[] path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(SafeFileHandle fdIn, IntPtr offIn, SafeFileHandle fdOut, IntPtr offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static partial int RenameAt2(int oldDirFd, byte[] oldPath, int newDirFd, byte[] newPath, uint flags);

    /// <summary>The user this process acts as: the owner of every file it creates.</summary>
    public static uint EffectiveUser => GetEffectiveUser();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUser();

    /// <summary>
    /// The id of the user of this name on this machine (through the system's user database, so users
    /// from a directory service count too); null when there is none.
    /// </summary>
    public static uint? UserNamed(string name)
    {
        var entry = GetPasswordEntryByName(name);
        // struct passwd begins with two pointers (pw_name, pw_passwd), then pw_uid.
        return entry == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntryByName(string name);

    [LibraryImport("libc", EntryPoint = "statx")]
    private static partial int Statx(int dirfd, byte[] path, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx")]
    private static unsafe partial int StatxAt(int dirfd, byte* name, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
    private static partial IntPtr OpenDir(byte[] path);

    [LibraryImport("libc", EntryPoint = "dirfd")]
    private static partial int DirFd(IntPtr handle);

    /// <summary>Returns a <c>struct dirent</c>, or null at the end (errno 0) or on an error (errno set).</summary>
    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static unsafe partial byte* ReadDir(IntPtr handle);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(IntPtr handle);

    /// <summary>
    /// <c>struct statx</c> (linux/stat.h), the same on every architecture: 256 bytes, of which these
    /// fields are read.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(96)]
        public long CtimeSeconds;

        [FieldOffset(104)]
        public uint CtimeNanoseconds;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;

        [FieldOffset(128)]
        public uint RdevMajor;

        [FieldOffset(132)]
        public uint RdevMinor;
    }
}
