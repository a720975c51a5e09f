using System.IO.Abstractions;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// What a scan found: the tree, the entries it did not follow or open (<see cref="Links"/>: symbolic links
/// and, among them, the <see cref="Specials"/>: FIFOs, sockets and devices), and what it could not read.
/// <see cref="Inodes"/> holds each file's inode where the platform tells it (for the hash cache); a
/// missing one is unknown.
/// </summary>
public sealed record ScanResult(FileTree Tree, IReadOnlyList<string> Links, IReadOnlyList<string> Problems, IReadOnlyDictionary<string, Inode> Inodes)
{
    /// <summary>
    /// The directories that could not be read: their contents are unknown, so the other side must leave
    /// what it has under them alone. (Directories pinned because they hold excluded entries are read, and
    /// their other entries sync as any others do.)
    /// </summary>
    public IReadOnlySet<string> Unreadable { get; init; } = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);

    /// <summary>The special files among <see cref="Links"/>: like links, never opened, never followed.</summary>
    public IReadOnlySet<string> Specials { get; init; } = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);

    public static readonly ScanResult Empty = new(FileTree.Empty, [], [], new Dictionary<string, Inode>(StringComparer.Ordinal));

    public Inode InodeOf(string path) => Inodes.TryGetValue(path, out var inode) ? inode : Inode.Unknown;
}

/// <summary>A file's inode number, boxed: a dictionary of objects runs on the runtime's precompiled code.</summary>
/// <summary>
/// Who a file is beyond its path, size and time: its inode number and its change time (ctime, in
/// nanoseconds), which any write, rename or <c>touch</c> moves forward and no user can set back. 0 when
/// the scan could not tell (then it matches only 0).
/// </summary>
public sealed record Inode(ulong Number, long ChangeNanoseconds)
{
    public static readonly Inode Unknown = new(0, 0);
}

/// <summary>
/// Reads a directory tree into a <see cref="FileTree"/>: sizes, times and permission bits, no content.
/// Symbolic links are never followed. Excluded paths are not entered; a directory that holds one is
/// pinned, so the planner never removes it. With native access (Linux), each directory is read by
/// <see cref="NativeFiles.ListDirectory"/> (one read, then one call per entry that is not a directory);
/// elsewhere everything goes through <see cref="IFileSystem"/>.
/// </summary>
public sealed class TreeScanner(LocalAccess access)
{
    private readonly IFileSystem fileSystem = access.FileSystem;

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
    /// <param name="known">Hashes from earlier runs: a file the cache still vouches for gets its hash at once.</param>
    public ScanResult Scan(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries, HashCache? known = null) =>
        Walk(root, excludes, linksAsEntries, known, access.Native ? ListNative : ListPortable);

    /// <summary>One walk for both ways of listing a directory; a lister throws when it cannot read one.</summary>
    private ScanResult Walk(string root, IReadOnlyList<PathGlob> excludes, bool linksAsEntries, HashCache? known, Func<string, List<DirectoryChild>> list)
    {
        var files = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var inodes = new Dictionary<string, Inode>(StringComparer.Ordinal);
        var dirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var pinned = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var links = new List<string>();
        var specials = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var unreadable = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        // Directories still to read, as pairs of full and relative paths (two stacks of strings, not a
        // stack of tuples, so that no collection code needs compiling at run time).
        var pendingFull = new Stack<string>();
        var pendingRelative = new Stack<string>();
        pendingFull.Push(fileSystem.Path.TrimEndingDirectorySeparator(root));
        pendingRelative.Push("");
        while (pendingFull.Count > 0)
        {
            var dir = pendingFull.Pop();
            var relative = pendingRelative.Pop();
            List<DirectoryChild> children;
            try
            {
                children = list(dir);
                Entries?.Invoke(children.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{dir}: cannot read directory: {e.Message}");
                if (relative.Length > 0)
                {
                    pinned.Add(relative);
                    unreadable.Add(relative);
                }
                continue;
            }
            foreach (var (name, stat) in children)
            {
                var path = relative.Length == 0 ? name : relative + "/" + name;
                if (PathGlob.AnyMatches(excludes, path, stat.IsDirectory && !stat.IsLink))
                {
                    if (relative.Length > 0)
                    {
                        pinned.Add(relative);
                    }
                    continue;
                }
                if (stat.IsLink || stat.IsSpecial)
                {
                    // A special file is left as a link is: never opened (a FIFO would block the run, a
                    // device would be read without end), listed so DEST leaves its path alone.
                    links.Add(path);
                    if (stat.IsSpecial)
                    {
                        specials.Add(path);
                    }
                    if (linksAsEntries)
                    {
                        files[path] = new FileEntry(0, DateTime.MinValue, 0, IsLink: true);
                    }
                }
                else if (stat.IsDirectory)
                {
                    dirs.Add(path);
                    pendingFull.Push(fileSystem.Path.Combine(dir, name));
                    pendingRelative.Push(path);
                }
                else
                {
                    ContentHash? hash = known is not null && stat.Size > 0 && known.TryGet(path, stat.Size, stat.ModifiedUtc.Ticks, stat.Inode, stat.ChangeNanoseconds, out var cached)
                        ? cached
                        : null;
                    files[path] = new FileEntry(stat.Size, stat.ModifiedUtc, linksAsEntries ? stat.Mode : ModeToGive(stat), hash);
                    if (stat.Inode != 0)
                    {
                        inodes[path] = new Inode(stat.Inode, stat.ChangeNanoseconds);
                    }
                }
            }
        }
        links.Sort(StringComparer.Ordinal);
        return new ScanResult(new FileTree(files, dirs, pinned), links, problems, inodes) { Specials = specials, Unreadable = unreadable };
    }

    /// <summary>
    /// The permission bits a SOURCE file's copy may have. Ownership is not mirrored, so a copy belongs to
    /// the user running reconcile: a setuid or setgid bit of a file owned by someone else is dropped, as
    /// rsync drops it, so that a user's setuid program never becomes a setuid-root one in DEST.
    /// </summary>
    private int ModeToGive(in StatInfo stat) =>
        stat.Owner is { } owner && owner != (effectiveUser ??= NativeFiles.EffectiveUser) ? stat.Mode & ~SetIdBits : stat.Mode;

    private const int SetIdBits = 0b110_000_000_000;

    private uint? effectiveUser;

    /// <summary>Linux: one directory read, then one statx per entry that is not a directory.</summary>
    private static List<DirectoryChild> ListNative(string dir) => NativeFiles.ListDirectory(dir);

    /// <summary>Anywhere else, and for other <see cref="IFileSystem"/>s: through the abstraction (no inode).</summary>
    private List<DirectoryChild> ListPortable(string dir) =>
        fileSystem.DirectoryInfo.New(dir).EnumerateFileSystemInfos("*", Shallow)
            .Select(child =>
            {
                var isLink = (child.Attributes & FileAttributes.ReparsePoint) != 0;
                var isDirectory = (child.Attributes & FileAttributes.Directory) != 0;
                return child is IFileInfo file && !isLink && !isDirectory
                    ? new DirectoryChild(child.Name, new StatInfo(false, false, file.Length, file.LastWriteTimeUtc, PermissionBits.Read(file.FullName), 0))
                    : new DirectoryChild(child.Name, new StatInfo(isDirectory, isLink, 0, DateTime.MinValue, 0, 0));
            })
            .ToList();
}
