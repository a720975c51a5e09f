using System.IO.Abstractions;

namespace Reconcile.Shell.Files;

/// <summary>
/// How the local file system is reached: always through <see cref="IFileSystem"/>, and, when
/// <see cref="Native"/>, also by the Linux calls of <see cref="NativeFiles"/> where they are faster
/// (listing, statx, copy_file_range, renameat2). Chosen once, where the program is put together.
/// </summary>
public sealed record LocalAccess(IFileSystem FileSystem, bool Native)
{
    /// <summary>The real file system, with the native calls wherever the platform has them: what the program uses.</summary>
    public static LocalAccess OfThisMachine() => new(new FileSystem(), NativeFiles.IsAvailable);

    /// <summary>Only through <paramref name="fileSystem"/>: for a file system that is not the real one, or that injects faults.</summary>
    public static LocalAccess Through(IFileSystem fileSystem) => new(fileSystem, Native: false);
}
