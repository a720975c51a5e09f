using System.IO.Abstractions;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>What a scan found: the tree, symbolic links it did not follow, and what it could not read.</summary>
public sealed record ScanResult(FileTree Tree, IReadOnlyList<string> Links, IReadOnlyList<string> Problems);

/// <summary>
/// Reads a directory tree into a <see cref="FileTree"/>: sizes, times and permission bits, no content.
/// Symbolic links are never followed. Excluded paths are not entered; a directory that holds one is
/// pinned, so the planner never removes it.
/// </summary>
public sealed class TreeScanner(IFileSystem fileSystem)
{
    private static readonly EnumerationOptions Shallow = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <param name="root">The directory to scan.</param>
    /// <param name="excludes">Patterns whose matches are left out.</param>
    /// <param name="linksAsEntries">Whether links are returned as entries to remove (DEST) or only listed (SOURCE).</param>
    public ScanResult Scan(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries)
    {
        var files = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var dirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var pinned = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var links = new List<string>();
        var problems = new List<string>();
        var pending = new Stack<(IDirectoryInfo Dir, string Relative)>();
        pending.Push((fileSystem.DirectoryInfo.FromDirectoryName(root), ""));
        while (pending.Count > 0)
        {
            var (dir, relative) = pending.Pop();
            IFileSystemInfo[] children;
            try
            {
                children = [.. dir.EnumerateFileSystemInfos("*", Shallow)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{dir.FullName}: cannot read directory: {e.Message}");
                if (relative.Length > 0)
                {
                    pinned.Add(relative);
                }
                continue;
            }
            foreach (var child in children)
            {
                var path = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
                var isDirectory = (child.Attributes & FileAttributes.Directory) != 0;
                if (PathGlob.AnyMatches(excludes, path, isDirectory))
                {
                    if (relative.Length > 0)
                    {
                        pinned.Add(relative);
                    }
                    continue;
                }
                if ((child.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    links.Add(path);
                    if (linksAsEntries)
                    {
                        files[path] = new FileEntry(0, DateTime.MinValue, 0, IsLink: true);
                    }
                    continue;
                }
                if (isDirectory)
                {
                    dirs.Add(path);
                    pending.Push(((IDirectoryInfo)child, path));
                }
                else if (child is IFileInfo file)
                {
                    files[path] = new FileEntry(file.Length, file.LastWriteTimeUtc, PermissionBits.Read(file.FullName));
                }
            }
        }
        links.Sort(StringComparer.Ordinal);
        return new ScanResult(new FileTree(files, dirs, pinned), links, problems);
    }
}
