using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reconcile.Shell.Files;

/// <summary>What one lstat of a path tells: kind, size, modification time, permission bits and inode.</summary>
/// <summary>What one <c>statx</c> tells of an entry; <see cref="ChangeNanoseconds"/> is its change time (ctime)
/// in nanoseconds since the epoch, which no user can set back (0 when unknown). <see cref="IsSpecial"/>: a
/// FIFO, socket or device, which is never opened (a FIFO would block a read forever, a device never end).</summary>
public readonly record struct StatInfo(bool IsDirectory, bool IsLink, long Size, DateTime ModifiedUtc, int Mode, ulong Inode, long ChangeNanoseconds = 0, bool IsSpecial = false, uint? Owner = null);

/// <summary>One entry of a directory listing (a class, so that lists of it need no code compiled at run time).</summary>
public sealed record DirectoryChild(string Name, StatInfo Stat);

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
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;

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
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref buffer) != 0)
        {
            info = default;
            return false;
        }
        info = Decode(buffer);
        return true;
    }

    /// <summary>Whether the open file <paramref name="fd"/> is a regular file (one <c>statx(2)</c> of the descriptor).</summary>
    public static unsafe bool IsRegularFile(int fd)
    {
        var buffer = default(StatxBuffer);
        byte empty = 0;
        return StatxAt(fd, &empty, AtEmptyPath, StatxType, ref buffer) == 0 && (buffer.Mode & FileTypeMask) == RegularFile;
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
        var ticks = buffer.MtimeSeconds * TimeSpan.TicksPerSecond + buffer.MtimeNanoseconds / 100;
        return new StatInfo(
            type == Directory,
            type == SymbolicLink,
            type == RegularFile || type == SymbolicLink ? (long)buffer.Size : 0,
            DateTime.UnixEpoch.AddTicks(ticks),
            buffer.Mode & 0xFFF,
            buffer.Inode,
            buffer.CtimeSeconds * 1_000_000_000 + buffer.CtimeNanoseconds,
            type != RegularFile && type != Directory && type != SymbolicLink,
            buffer.Uid);
    }

    /// <summary>
    /// One directory's entries, without "." and "..", each with what one <c>statx(2)</c> tells. The
    /// directory is read once (<c>opendir</c>/<c>readdir</c>) and each entry is looked up relative to
    /// it, by the name's own bytes: no full path is built, encoded or walked by the kernel per entry.
    /// Subdirectories are known from the listing's entry type and need no call of their own. An entry
    /// gone between the listing and its lookup is left out, as if it had never been there.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The directory may not be read.</exception>
    /// <exception cref="IOException">It cannot be read for another reason.</exception>
    public static unsafe List<DirectoryChild> ListDirectory(string directory)
    {
        var handle = OpenDir(directory);
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
                var name = System.Text.Encoding.UTF8.GetString(nameBytes);
                if (entry[DirentTypeOffset] == DirectoryEntryType)
                {
                    children.Add(new DirectoryChild(name, new StatInfo(true, false, 0, DateTime.MinValue, 0, 0)));
                }
                else if (TryStatAt(fd, entry + DirentNameOffset, out var stat))
                {
                    children.Add(new DirectoryChild(name, stat));
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
    /// kernel's <c>copy_file_range</c>, then sets its permission bits and modification time. Returns the
    /// bytes copied and the source's modification time after copying; the caller compares them with what
    /// it planned.
    /// </summary>
    public static (long Copied, DateTime SourceModifiedUtc) CopyNew(string from, string to, int mode, DateTime modifiedUtc)
    {
        using var source = File.OpenHandle(from, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(source);
        using var target = File.OpenHandle(to, FileMode.CreateNew, FileAccess.Write, FileShare.None);
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
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, (UnixFileMode)(mode & 0xFFF));
        }
        File.SetLastWriteTimeUtc(target, modifiedUtc);
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
        RenameAt2(AtFdCwd, from, AtFdCwd, to, replace ? 0u : NoReplace) == 0 ? 0 : Marshal.GetLastPInvokeError();

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

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(SafeFileHandle fdIn, IntPtr offIn, SafeFileHandle fdOut, IntPtr offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    /// <summary>The user this process acts as: the owner of every file it creates.</summary>
    public static uint EffectiveUser => GetEffectiveUser();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUser();

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx")]
    private static unsafe partial int StatxAt(int dirfd, byte* name, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr OpenDir(string path);

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
    }
}
