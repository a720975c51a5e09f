using System.IO.Abstractions;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// What a scan found: the tree, symbolic links it did not follow, and what it could not read. <see cref="Inodes"/>
/// holds each file's inode where the platform tells it (for the hash cache); a missing one is unknown.
/// </summary>
public sealed record ScanResult(FileTree Tree, IReadOnlyList<string> Links, IReadOnlyList<string> Problems, IReadOnlyDictionary<string, ulong> Inodes)
{
    public static readonly ScanResult Empty = new(FileTree.Empty, [], [], new Dictionary<string, ulong>(StringComparer.Ordinal));

    public ulong InodeOf(string path) => Inodes.TryGetValue(path, out var inode) ? inode : 0;
}

/// <summary>
/// Reads a directory tree into a <see cref="FileTree"/>: sizes, times and permission bits, no content.
/// Symbolic links are never followed. Excluded paths are not entered; a directory that holds one is
/// pinned, so the planner never removes it. On the real file system of Linux, names are listed with
/// <c>FileSystemEnumerable</c> and each entry costs one <see cref="NativeFiles"/> call;
/// elsewhere everything goes through <see cref="IFileSystem"/>.
/// </summary>
public sealed class TreeScanner(IFileSystem fileSystem)
{
    /// <summary>Told how many entries each directory held, as it is read (for a progress display).</summary>
    public Action<int>? Entries { get; init; }

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
    public ScanResult Scan(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries) =>
        fileSystem is FileSystem && NativeFiles.IsAvailable
            ? ScanNative(root, excludes, linksAsEntries)
            : ScanPortable(root, excludes, linksAsEntries);

    private ScanResult ScanNative(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries)
    {
        var files = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var inodes = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var dirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var pinned = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var links = new List<string>();
        var problems = new List<string>();
        var pending = new Stack<(string Full, string Relative)>();
        List<string> names;
        pending.Push((root.TrimEnd('/'), ""));
        while (pending.Count > 0)
        {
            var (dir, relative) = pending.Pop();
            try
            {
                names = NativeFiles.ListNames(dir, Shallow);
                Entries?.Invoke(names.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{dir}: cannot read directory: {e.Message}");
                if (relative.Length > 0)
                {
                    pinned.Add(relative);
                }
                continue;
            }
            foreach (var name in names)
            {
                var full = dir + "/" + name;
                var path = relative.Length == 0 ? name : relative + "/" + name;
                if (!NativeFiles.TryLstat(full, out var stat))
                {
                    // Gone since it was listed: as if it had never been there.
                    continue;
                }
                if (PathGlob.AnyMatches(excludes, path, stat.IsDirectory))
                {
                    if (relative.Length > 0)
                    {
                        pinned.Add(relative);
                    }
                    continue;
                }
                if (stat.IsLink)
                {
                    links.Add(path);
                    if (linksAsEntries)
                    {
                        files[path] = new FileEntry(0, DateTime.MinValue, 0, IsLink: true);
                    }
                }
                else if (stat.IsDirectory)
                {
                    dirs.Add(path);
                    pending.Push((full, path));
                }
                else
                {
                    files[path] = new FileEntry(stat.Size, stat.ModifiedUtc, stat.Mode);
                    inodes[path] = stat.Inode;
                }
            }
        }
        links.Sort(StringComparer.Ordinal);
        return new ScanResult(new FileTree(files, dirs, pinned), links, problems, inodes);
    }

    private ScanResult ScanPortable(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries)
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
                Entries?.Invoke(children.Length);
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
        return new ScanResult(new FileTree(files, dirs, pinned), links, problems, ScanResult.Empty.Inodes);
    }
}
