using System.Runtime.InteropServices;

namespace Reconcile.Shell.Files;

/// <summary>
/// A regular file opened for reading with plain system calls, for hashing many files: one
/// <c>open</c>, one <c>statx</c> of the open file, the reads, one <c>close</c>, and nothing else per
/// file (a <c>FileStream</c> also normalises the path and builds its objects). The open never waits
/// on a FIFO put where a file was scanned, and anything but a regular file is refused before a read.
/// Linux only: callers check <see cref="NativeFiles.IsAvailable"/>.
/// </summary>
internal sealed partial class RegularFileReader : IDisposable
{
    // open(2) flags, the same on every Linux architecture .NET runs on.
    private const int ReadOnly = 0;
    private const int NoControllingTerminal = 0x100;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int Directory = 0x10000;
    private const int PathOnly = 0x200000;
    private const int Interrupted = 4;

    private int fd;

    /// <summary>The size the file had when it was opened.</summary>
    private long sizeAtOpen;

    /// <summary>How many bytes were read so far.</summary>
    private long position;

    /// <summary>A read that asked for more than was left gave exactly what was left: the end, then.</summary>
    private bool atEnd;

    private RegularFileReader(int fd) => this.fd = fd;

    /// <summary>The <c>openat</c> directory that stands for the working directory.</summary>
    public const int WorkingDirectory = -100;

    /// <summary>
    /// A directory held open (<c>O_PATH</c>) for opening many files under it by their relative paths:
    /// the kernel then walks only the relative part of each path. -1 when it cannot be opened.
    /// </summary>
    public static int OpenDirectory(string path) => OpenFileAt(WorkingDirectory, NativeFiles.PathBytes(path), PathOnly | Directory | CloseOnExec);

    public static void CloseDirectory(int fd)
    {
        if (fd >= 0)
        {
            _ = CloseFile(fd);
        }
    }

    /// <param name="path">Relative to <paramref name="directoryFd"/> (see <see cref="OpenDirectory"/>), or absolute.</param>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">It cannot be opened, or it is not a regular file.</exception>
    public static RegularFileReader Open(string path, int directoryFd = WorkingDirectory)
    {
        var fd = OpenFileAt(directoryFd, NativeFiles.PathBytes(path), ReadOnly | NoControllingTerminal | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var message = Marshal.GetPInvokeErrorMessage(errno);
            throw errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message);
        }
        var reader = new RegularFileReader(fd);
        if (!NativeFiles.IsRegularFile(fd, out reader.sizeAtOpen))
        {
            reader.Dispose();
            throw new IOException("not a regular file");
        }
        return reader;
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes; 0 at the end of the file. A read that asks for more
    /// than the size at opening leaves and gets exactly that much was at the end of the file when it ran
    /// (had the file grown by then, it would have given more), so the read after it gives 0 without
    /// asking the kernel: one system call per small file instead of two.
    /// </summary>
    public unsafe int Read(byte[] buffer, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - offset);
        if (atEnd || count == 0)
        {
            return 0;
        }
        fixed (byte* at = &buffer[0])
        {
            while (true)
            {
                var n = ReadFile(fd, at + offset, (nuint)count);
                if (n >= 0)
                {
                    var left = sizeAtOpen - position;
                    position += n;
                    atEnd = n == left && count > left;
                    return (int)n;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interrupted)
                {
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
                }
            }
        }
    }

    public void Dispose()
    {
        if (fd >= 0)
        {
            _ = CloseFile(fd);
            fd = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenFileAt(int directoryFd, byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFile(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFile(int fd);
}
