using System.IO.Abstractions;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// What a scan found: the tree, the SOURCE entries a run skips (<see cref="Skipped"/>: devices, when the run
/// is not root and could not make them, as rsync skips them), and what it could not read.
/// <see cref="Inodes"/> holds each file's inode where the platform tells it (for the hash cache); a
/// missing one is unknown.
/// </summary>
public sealed record ScanResult(FileTree Tree, IReadOnlyList<string> Skipped, IReadOnlyList<string> Problems, IReadOnlyDictionary<string, Inode> Inodes)
{
    /// <summary>
    /// The directories that could not be read: their contents are unknown, so the other side must leave
    /// what it has under them alone. (Directories pinned because they hold excluded entries are read, and
    /// their other entries sync as any others do.)
    /// </summary>
    public IReadOnlySet<string> Unreadable { get; init; } = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);

    /// <summary>How many entries belong to another user while owners are not kept (the run is not root; a remote DEST never keeps them, and is not counted).</summary>
    public int OwnedByOthers { get; init; }

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
/// Reads a directory tree into a <see cref="FileTree"/>: every entry's kind, size, time, permission bits
/// and (as root) owner, links' targets, devices' numbers, directories' metadata; no content. Symbolic
/// links are never followed. Excluded paths are not entered; a directory that holds one is pinned, so
/// the planner never removes it. With native access (Linux), each directory is read by
/// <see cref="NativeFiles.ListDirectory"/> (one read, then one call per entry); elsewhere everything goes
/// through <see cref="IFileSystem"/>, which tells no owners, nodes or directory metadata.
/// </summary>
public sealed class TreeScanner(LocalAccess access)
{
    private readonly IFileSystem fileSystem = access.FileSystem;

    /// <summary>Told how many entries each directory held, as it is read (for a progress display).</summary>
    public Action<int>? Entries { get; init; }

    /// <summary>
    /// Who will own the copies, when that is not the user running the scan: for a remote DEST, the local
    /// user of the login's name (<see cref="FileMeta.NoOwner"/> when there is none). Owners are then not
    /// kept (the copies are the login's), and only that user's SOURCE files keep their setuid and setgid
    /// bits.
    /// </summary>
    public uint? CopiesOwnedBy { get; init; }

    private static readonly EnumerationOptions Shallow = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <param name="root">The directory to scan.</param>
    /// <param name="excludes">Patterns whose matches are left out.</param>
    /// <param name="asDest">Whether the tree is DEST, taken as it is, or SOURCE, taken as DEST may have it (see <see cref="Walk"/>).</param>
    /// <param name="known">Hashes from earlier runs: a file the cache still vouches for gets its hash at once.</param>
    public ScanResult Scan(string root, IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known = null) =>
        Walk(root, excludes, asDest, known, access.Native ? ListNative : ListPortable);

    /// <summary>
    /// One walk for both ways of listing a directory; a lister throws when it cannot read one. Owners and
    /// groups are read only when the run is root (only root can give files away); otherwise they are
    /// <see cref="FileMeta.NoOwner"/> on both sides. SOURCE is taken as DEST may have it: a setuid or
    /// setgid bit of a file owned by someone else is dropped when owners are not kept, and devices are
    /// skipped when the run is not root.
    /// </summary>
    private ScanResult Walk(string root, IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Func<string, List<DirectoryChild>> list)
    {
        var files = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var inodes = new Dictionary<string, Inode>(StringComparer.Ordinal);
        var dirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var dirMeta = new Dictionary<string, FileMeta>(StringComparer.Ordinal);
        var pinned = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var unreadable = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var ownedByOthers = 0;
        var root0 = fileSystem.Path.TrimEndingDirectorySeparator(root);
        var owners = CopiesOwnedBy is null && access.Native && (effectiveUser ??= NativeFiles.EffectiveUser) == 0;
        var copiesOwner = CopiesOwnedBy ?? (access.Native ? effectiveUser ??= NativeFiles.EffectiveUser : FileMeta.NoOwner);
        if (access.Native && NativeFiles.TryStat(root0, out var rootStat) && rootStat.IsDirectory)
        {
            dirMeta[""] = MetaOf(rootStat, owners);
        }
        // Directories still to read, as pairs of full and relative paths (two stacks of strings, not a
        // stack of tuples, so that no collection code needs compiling at run time).
        var pendingFull = new Stack<string>();
        var pendingRelative = new Stack<string>();
        pendingFull.Push(root0);
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
                problems.Add(TerminalText.Escape($"{dir}: cannot read directory: {e.Message}"));
                if (relative.Length > 0)
                {
                    pinned.Add(relative);
                    unreadable.Add(relative);
                }
                continue;
            }
            foreach (var child in children)
            {
                var (name, stat) = child;
                var path = relative.Length == 0 ? name : relative + "/" + name;
                if (PathGlob.AnyMatches(excludes, path, stat.IsDirectory && !stat.IsLink))
                {
                    if (relative.Length > 0)
                    {
                        pinned.Add(relative);
                    }
                    continue;
                }
                if (!owners && !asDest && CopiesOwnedBy is null && stat.Owner is { } owner && owner != copiesOwner)
                {
                    ownedByOthers++;
                }
                if (stat.IsDirectory)
                {
                    dirs.Add(path);
                    if (access.Native)
                    {
                        dirMeta[path] = MetaOf(stat, owners);
                    }
                    pendingFull.Push(fileSystem.Path.Combine(dir, name));
                    pendingRelative.Push(path);
                }
                else if (stat.IsLink)
                {
                    var meta = MetaOf(stat, owners);
                    files[path] = FileEntry.Link(child.LinkTarget ?? "", meta.ModifiedNs, meta.Owner, meta.Group);
                }
                else if (stat.IsSpecial)
                {
                    // Never opened: a FIFO would block the run, a device would be read without end.
                    if (!asDest && !owners && stat.Kind is EntryKind.CharDevice or EntryKind.BlockDevice)
                    {
                        skipped.Add(path);
                        continue;
                    }
                    var meta = MetaOf(stat, owners);
                    files[path] = new FileEntry(0, meta.ModifiedNs, meta.Mode, null, stat.Kind, meta.Owner, meta.Group, null, stat.Device);
                }
                else
                {
                    ContentHash? hash = known is not null && stat.Size > 0 && known.TryGet(path, stat.Size, stat.ModifiedUtc.Ticks, stat.Inode, stat.ChangeNanoseconds, out var cached)
                        ? cached
                        : null;
                    var meta = MetaOf(stat, owners);
                    files[path] = new FileEntry(stat.Size, meta.ModifiedNs, asDest || owners ? meta.Mode : ModeToGive(stat, copiesOwner), hash, EntryKind.File, meta.Owner, meta.Group);
                    if (stat.Inode != 0)
                    {
                        inodes[path] = new Inode(stat.Inode, stat.ChangeNanoseconds);
                    }
                }
            }
        }
        skipped.Sort(StringComparer.Ordinal);
        return new ScanResult(new FileTree(files, dirs, pinned) { DirectoryMeta = dirMeta }, skipped, problems, inodes)
        {
            Unreadable = unreadable,
            OwnedByOthers = ownedByOthers,
        };
    }

    private static FileMeta MetaOf(in StatInfo stat, bool owners) =>
        owners && stat.Owner is { } owner
            ? new FileMeta(stat.ModifiedNs, stat.Mode, owner, stat.Group)
            : new FileMeta(stat.ModifiedNs, stat.Mode);

    /// <summary>
    /// The permission bits a SOURCE file's copy may have when owners are not kept, so that a copy belongs
    /// to <paramref name="copiesOwner"/> (the user running reconcile, or a remote DEST's login): a setuid
    /// or setgid bit of a file owned by anyone else is dropped, so that one user's setuid program never
    /// becomes another's (or root's) in DEST. rsync, not as root, keeps such bits; reconcile never does.
    /// </summary>
    private static int ModeToGive(in StatInfo stat, uint copiesOwner) =>
        stat.Owner is { } owner && owner != copiesOwner ? stat.Mode & ~SetIdBits : stat.Mode;

    private const int SetIdBits = 0b110_000_000_000;

    private uint? effectiveUser;

    /// <summary>Linux: one directory read, then one statx per entry that is not a directory.</summary>
    private static List<DirectoryChild> ListNative(string dir) => NativeFiles.ListDirectory(dir);

    /// <summary>Anywhere else, and for other <see cref="IFileSystem"/>s: through the abstraction (no inode, owner or node).</summary>
    private List<DirectoryChild> ListPortable(string dir) =>
        fileSystem.DirectoryInfo.New(dir).EnumerateFileSystemInfos("*", Shallow)
            .Select(child =>
            {
                var isLink = (child.Attributes & FileAttributes.ReparsePoint) != 0;
                var isDirectory = (child.Attributes & FileAttributes.Directory) != 0;
                // Links get no time here (none can be set through the abstraction either), directories no metadata.
                return child is IFileInfo file && !isLink && !isDirectory
                    ? new DirectoryChild(child.Name, new StatInfo(false, false, file.Length, FileTime.FromDateTime(file.LastWriteTimeUtc), PermissionBits.Read(file.FullName), 0))
                    : isLink
                    ? new DirectoryChild(child.Name, new StatInfo(false, true, 0, 0, 0b111_111_111, 0, Kind: EntryKind.Link)) { LinkTarget = child.LinkTarget }
                    : new DirectoryChild(child.Name, new StatInfo(true, false, 0, 0, 0, 0));
            })
            .ToList();
}
