namespace Reconcile.Shell.Files;

/// <summary>
/// Unix permission bits. System.IO.Abstractions 17 does not expose them, so they are read and written
/// through the base library; on Windows they are not kept.
/// </summary>
public static class PermissionBits
{
    private const UnixFileMode Mask = (UnixFileMode)0xFFF;

    public static int Read(string path) =>
        OperatingSystem.IsWindows() ? 0 : (int)(File.GetUnixFileMode(path) & Mask);

    public static void Write(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode & Mask);
        }
    }
}
