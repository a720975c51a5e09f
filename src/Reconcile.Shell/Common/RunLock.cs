using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Reconcile.Shell.Common;

/// <summary>
/// Keeps two runs that write the same target from overlapping. The lock is an OS advisory lock on a
/// lock file, taken with flock(2) on Unix (and a share mode on Windows), so the kernel releases it when the process ends in any way, SIGKILL included: a lock file left behind by a
/// killed run blocks nothing. The lock file is never deleted, because deleting a lock file while another
/// process has it open lets two runs each lock a different file of the same name.
///
/// Who holds the lock is written beside it, in <c>LOCKFILE.holder</c>: the lock file itself cannot be
/// read by another process while it is locked (.NET takes a shared flock to read it).
/// </summary>
public sealed partial class RunLock : IDisposable
{

    private readonly FileStream handle;
    private readonly string holderPath;

    private RunLock(FileStream handle, string holderPath)
    {
        this.handle = handle;
        this.holderPath = holderPath;
    }

    /// <summary>Takes the lock at once or stops the run with exit 4, naming the holder.</summary>
    /// <param name="lockPath">The lock file; its directory is created when missing.</param>
    /// <param name="target">What the lock protects, for the message (DEST or STATE as the user wrote it).</param>
    public static RunLock Acquire(string lockPath, string target)
    {
        FileStream handle;
        try
        {
            var directory = Path.GetDirectoryName(lockPath);
            if (!string.IsNullOrEmpty(directory))
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // .NET's own flock for FileShare.None is off in the shipped program (it would cost system
            // calls on every file a run copies), so the lock is taken here, explicitly.
            if (!OperatingSystem.IsWindows() && Flock(handle.SafeFileHandle, LockExclusive | LockNonBlocking) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                handle.Dispose();
                throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
            }
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw RunStoppedException.Locked(
                $"{target}: another run holds the lock ({Holder(lockPath)}; lock file {lockPath}); nothing was changed");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RunStoppedException.BadInput($"{target}: cannot take the lock {lockPath}: {e.Message}; nothing was changed");
        }
        var holder = lockPath + ".holder";
        WriteHolder(holder);
        return new RunLock(handle, holder);
    }

    /// <summary>
    /// The lock file for a files run into <paramref name="dest"/>. Nothing but the mirror may be written
    /// inside DEST, so it lives in <paramref name="lockDirectory"/> (by default <see cref="DefaultDirectory"/>),
    /// named by a hash of DEST's canonical path: symbolic links, <c>..</c>, repeated and trailing
    /// separators resolved, so that two spellings of one directory share one lock. Two users (or two
    /// XDG_CACHE_HOME values) do not see each other's locks.
    /// </summary>
    public static string ForDirectory(string dest, string? lockDirectory = null)
    {
        var canonical = CanonicalPath.Of(dest);
        if (OperatingSystem.IsWindows())
        {
            canonical = canonical.ToUpperInvariant();
        }
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32];
        return Path.Combine(lockDirectory ?? DefaultDirectory(), key + ".lock");
    }

    /// <summary>The locks of files runs: <c>locks</c> in the user's cache directory (relative to the working directory when no home is known).</summary>
    public static string DefaultDirectory() => Path.Combine(UserCacheDirectory.Find() ?? Path.Combine(".cache", "reconcile"), "locks");

    public void Dispose()
    {
        try
        {
            File.Delete(holderPath);
        }
        catch (IOException)
        {
            // A stale holder file is only read while someone holds the lock, and then it is rewritten.
        }
        catch (UnauthorizedAccessException)
        {
        }
        handle.Dispose();
    }

    /// <summary>
    /// A locked file, as .NET reports it: on Unix the errno of flock (EWOULDBLOCK), on Windows
    /// ERROR_SHARING_VIOLATION as an HRESULT. Any other error (no permission on the lock directory, a
    /// full disk) is not "another run", and is reported as it is.
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? e.HResult == unchecked((int)0x80070020)
        : OperatingSystem.IsLinux() ? e.HResult == 11
        : e.HResult == 35;

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeHandle fd, int operation);

    private static void WriteHolder(string path)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on host {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private static string Holder(string lockPath)
    {
        try
        {
            return "held by " + File.ReadAllText(lockPath + ".holder").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "holder unknown: it is still starting";
        }
    }
}
