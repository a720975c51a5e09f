using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reconcile.Shell.Files;

/// <summary>What one lstat of a path tells: kind, size, modification time, permission bits and inode.</summary>
public readonly record struct StatInfo(bool IsDirectory, bool IsLink, long Size, DateTime ModifiedUtc, int Mode, ulong Inode);

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
    private const uint StatxBasicStats = 0x7ff;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;
    private const int SymbolicLink = 0xA000;

    private static readonly Lazy<bool> Available = new(Probe);

    public static bool IsAvailable => Available.Value;

    /// <summary>lstat of a path; false when it does not exist or cannot be read (errno is not kept).</summary>
    public static bool TryLstat(string path, out StatInfo info)
    {
        info = default;
        if (!IsAvailable)
        {
            return false;
        }
        var buffer = default(StatxBuffer);
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref buffer) != 0)
        {
            return false;
        }
        var type = buffer.Mode & FileTypeMask;
        var ticks = buffer.MtimeSeconds * TimeSpan.TicksPerSecond + buffer.MtimeNanoseconds / 100;
        info = new StatInfo(
            type == Directory,
            type == SymbolicLink,
            type == RegularFile || type == SymbolicLink ? (long)buffer.Size : 0,
            DateTime.UnixEpoch.AddTicks(ticks),
            buffer.Mode & 0xFFF,
            buffer.Inode);
        return true;
    }

    /// <summary>The names in one directory, without "." and "..", and without a stat of each.</summary>
    public static List<string> ListNames(string directory, EnumerationOptions options) =>
        [.. new FileSystemEnumerable<string>(directory, (ref FileSystemEntry e) => e.FileName.ToString(), options)];

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
                if (n < wanted)
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
                throw new IOException($"cannot copy {from}: error {Marshal.GetLastPInvokeError()}");
            }
        }
        if (!kernelCopy)
        {
            copied = CopyThroughBuffer(source, target);
        }
        if (mode != 0 && !OperatingSystem.IsWindows())
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
        const int NoReplace = 1;
        const int Exists = 17;
        const int Invalid = 22;
        const int NotImplemented = 38;
        if (RenameAt2(AtFdCwd, from, AtFdCwd, to, replace ? 0u : NoReplace) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Invalid or NotImplemented => false,
            Exists => throw new IOException($"cannot move {from} to {to}: the target exists"),
            _ => throw new IOException($"cannot move {from} to {to}: {Marshal.GetPInvokeErrorMessage(errno)}"),
        };
    }

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
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            var buffer = default(StatxBuffer);
            return Statx(AtFdCwd, "/", AtSymlinkNoFollow, StatxBasicStats, ref buffer) == 0
                && (buffer.Mode & FileTypeMask) == Directory;
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

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref StatxBuffer buffer);

    /// <summary>
    /// <c>struct statx</c> (linux/stat.h), the same on every architecture: 256 bytes, of which these
    /// fields are read.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;
    }
}
