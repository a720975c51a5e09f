using LanguageExt;

namespace Reconcile.Core.Files;

/// <summary>The paths whose content hash the planner needs, per side, in no particular order.</summary>
public sealed record HashRequest(Seq<string> Source, Seq<string> Dest);

/// <summary>
/// Plans how to make DEST an exact mirror of SOURCE. Files are identified by content (size and hash), so
/// content already anywhere in DEST is moved, or copied locally, and never transferred from SOURCE again.
/// </summary>
public static class FilePlanner
{
    /// <summary>
    /// Which files must be hashed before planning. With --checksum, every file. Otherwise only rename
    /// candidates: a SOURCE file that fails the quick check and has a same-size counterpart among the DEST
    /// files the run may move (those that do not pass the quick check at their own path), and each such
    /// DEST file of a size some candidate has. Files kept at their path are never hashed for this, so a
    /// new file whose bytes only a kept file holds is transferred, not copied inside DEST (with hashes
    /// from --checksum or the cache, it is copied inside DEST). Empty files need no hash.
    /// </summary>
    public static HashRequest PathsToHash(FileTree source, FileTree dest, FilePlanOptions options)
    {
        // Plain loops over the dictionaries: this runs once per run on every file, at start-up.
        var sourcePaths = new List<string>();
        var destPaths = new List<string>();
        if (options.Checksum)
        {
            foreach (var (path, entry) in source.Files)
            {
                if (entry.Size > 0 && entry.IsRegular)
                {
                    sourcePaths.Add(path);
                }
            }
            foreach (var (path, entry) in dest.Files)
            {
                if (entry.Size > 0 && entry.IsRegular)
                {
                    destPaths.Add(path);
                }
            }
            return new(sourcePaths.ToSeq(), destPaths.ToSeq());
        }
        var movableSizes = new System.Collections.Generic.HashSet<long>();
        foreach (var (path, entry) in dest.Files)
        {
            if (entry.IsRegular && entry.Size > 0 && !QuickSame(path, entry, source, options.ModifyWindow))
            {
                movableSizes.Add(entry.Size);
            }
        }
        var dirtySizes = new System.Collections.Generic.HashSet<long>();
        if (movableSizes.Count > 0)
        {
            foreach (var (path, entry) in source.Files)
            {
                if (entry.IsRegular && entry.Size > 0 && movableSizes.Contains(entry.Size) && !QuickSame(path, entry, dest, options.ModifyWindow))
                {
                    sourcePaths.Add(path);
                    dirtySizes.Add(entry.Size);
                }
            }
        }
        if (dirtySizes.Count > 0)
        {
            foreach (var (path, entry) in dest.Files)
            {
                if (entry.IsRegular && dirtySizes.Contains(entry.Size) && !QuickSame(path, entry, source, options.ModifyWindow))
                {
                    destPaths.Add(path);
                }
            }
        }
        return new(sourcePaths.ToSeq(), destPaths.ToSeq());
    }

    public static Seq<FileAction> Plan(FileTree source, FileTree dest, FilePlanOptions options) =>
        new Planning(source, dest, options).Run();

    /// <summary>Two regular files hold the same bytes, as far as the planner can tell (anything else is never content).</summary>
    internal static bool SameContent(FileEntry source, FileEntry dest, bool checksum, int modifyWindow = 0)
    {
        if (!dest.IsRegular || !source.IsRegular)
        {
            return false;
        }
        var a = KeyOf(source);
        var b = KeyOf(dest);
        if (a is not null && b is not null)
        {
            return a == b;
        }
        return !checksum && source.Size == dest.Size && FileTime.Same(source.ModifiedNs, dest.ModifiedNs, modifyWindow);
    }

    /// <summary>The identity of a file's content, when known. All empty files are the same content.</summary>
    internal static ContentKey? KeyOf(FileEntry entry) =>
        !entry.IsRegular ? null
        : entry.Size == 0 ? new ContentKey(0, default)
        : entry.Hash is { } hash ? new ContentKey(entry.Size, hash)
        : null;

    /// <summary>The other side has a file at <paramref name="path"/> that passes the quick check against <paramref name="entry"/>.</summary>
    private static bool QuickSame(string path, FileEntry entry, FileTree otherSide, int modifyWindow) =>
        otherSide.Files.TryGetValue(path, out var other) && other.IsRegular
        && other.Size == entry.Size && FileTime.Same(other.ModifiedNs, entry.ModifiedNs, modifyWindow);

    internal readonly record struct ContentKey(long Size, ContentHash Hash);

    /// <summary>
    /// SOURCE against DEST path by path: the targets to fill with content, the links, FIFOs, sockets and
    /// devices to make, the entries to touch, and the DEST entries not kept.
    /// </summary>
    private sealed record PathByPath(List<string> Targets, List<string> Nodes, List<string> Touches, List<string> Replaced, IEnumerable<string> Extras);

    private sealed class Move(string from, string to, FileMeta meta)
    {
        public string From { get; set; } = from;

        public string To { get; } = to;

        public FileMeta Meta { get; } = meta;

        public bool Visiting { get; set; }

        public bool Done { get; set; }
    }

    /// <summary>
    /// One planning run. It keeps a model of DEST as the plan so far leaves it, so that every action is
    /// emitted only when it is valid at that point: parents exist, targets are free, nothing still needed
    /// is overwritten. The phases are: moves (cycles broken by stashing one file), transfers from SOURCE,
    /// local copies, metadata, empty directories, and last the deletions.
    /// </summary>
    private sealed class Planning
    {
        private readonly FileTree source;
        private readonly FileTree dest;
        private readonly bool checksum;
        private readonly int window;
        private readonly System.Collections.Generic.HashSet<string> made = new(StringComparer.Ordinal);
        private readonly string stashRoot;
        private readonly System.Collections.Generic.HashSet<string> sourceDirs;
        private readonly Dictionary<string, FileEntry> files;
        private readonly System.Collections.Generic.HashSet<string> dirs;
        private readonly Dictionary<string, Move> pendingByPath = new(StringComparer.Ordinal);
        private readonly System.Collections.Generic.HashSet<string> doomed = new(StringComparer.Ordinal);
        private readonly List<FileAction> actions = [];
        private string[]? destFilesSorted;
        private string[]? destDirsSorted;
        private int stashCount;

        public Planning(FileTree source, FileTree dest, FilePlanOptions options)
        {
            this.source = source;
            this.dest = dest;
            checksum = options.Checksum;
            window = options.ModifyWindow;
            sourceDirs = FileTrees.AllDirectories(source);
            files = new Dictionary<string, FileEntry>(dest.Files, StringComparer.Ordinal);
            dirs = FileTrees.AllDirectories(dest);
            stashRoot = FreeName(options.StashRoot);
        }

        /// <summary>The SPEC's phases in order, each adding its actions to the plan as DEST then stands.</summary>
        public Seq<FileAction> Run()
        {
            var compared = Compare();
            var (moves, transfers, localCopies) = Assign(compared.Targets);
            MarkDoomed(compared.Replaced.Concat(compared.Extras));
            RunMoves(moves);
            AddTransfers(transfers);
            AddLocalCopies(localCopies);
            AddNodes(compared.Nodes);
            AddTouches(compared.Touches);
            MakeMissingDirectories();
            DeleteTheRest();
            TouchDirectories();
            return actions.ToSeq();
        }

        /// <summary>
        /// Each SOURCE entry against DEST at its path: kept (same content, or the same link or node;
        /// touched when only its time, bits or owner differ), a target whose bytes must come from
        /// somewhere, or a link or node to make; either replaces what is there.
        /// </summary>
        private PathByPath Compare()
        {
            var targets = new List<string>();
            var nodes = new List<string>();
            var touches = new List<string>();
            // DEST files at a target's path: obsolete, unless a move takes them away first.
            var replaced = new List<string>();
            // DEST files at no SOURCE path: what is left of a copy of DEST once every SOURCE path is taken
            // out (one look-up per SOURCE file finds both what is there and what is extra).
            var extras = new Dictionary<string, FileEntry>(files, StringComparer.Ordinal);
            foreach (var (path, entry) in source.Files)
            {
                if (extras.Remove(path, out var there))
                {
                    if (entry.IsRegular ? SameContent(entry, there, checksum, window) : entry.SameNode(there))
                    {
                        if (!there.Meta.SameAs(entry.Meta, window))
                        {
                            touches.Add(path);
                        }
                        continue;
                    }
                    replaced.Add(path);
                }
                (entry.IsRegular ? targets : nodes).Add(path);
            }
            targets.Sort(StringComparer.Ordinal);
            nodes.Sort(StringComparer.Ordinal);
            touches.Sort(StringComparer.Ordinal);
            return new PathByPath(targets, nodes, touches, replaced, extras.Keys);
        }

        /// <summary>Doomed: every DEST file not kept (same path and content in SOURCE) and not moved away.</summary>
        private void MarkDoomed(IEnumerable<string> notKept)
        {
            foreach (var path in notKept)
            {
                if (!pendingByPath.ContainsKey(path))
                {
                    doomed.Add(path);
                }
            }
        }

        /// <summary>Transfers from SOURCE: content DEST does not hold anywhere.</summary>
        private void AddTransfers(List<string> transfers)
        {
            foreach (var path in transfers)
            {
                var entry = source.Files[path];
                var replaces = Prepare(path);
                actions.Add(replaces ? new UpdateFile(path, entry.Size, entry.Meta) : new CopyFile(path, entry.Size, entry.Meta));
                files[path] = entry;
            }
        }

        /// <summary>Local copies: further paths of content that DEST holds (or has just received).</summary>
        private void AddLocalCopies(List<(string From, string To)> localCopies)
        {
            foreach (var (from, to) in localCopies)
            {
                var entry = source.Files[to];
                var replaces = Prepare(to);
                actions.Add(new CopyLocal(from, to, entry.Meta, replaces));
                files[to] = entry;
            }
        }

        /// <summary>Links, FIFOs, sockets and devices: made anew from their description, never content.</summary>
        private void AddNodes(List<string> nodes)
        {
            foreach (var path in nodes)
            {
                var entry = source.Files[path];
                var replaces = Prepare(path);
                actions.Add(entry.IsLink
                    ? new MakeLink(path, entry.LinkTarget ?? "", entry.Meta, replaces)
                    : new MakeNode(path, entry.Kind, entry.Device, entry.Meta, replaces));
                files[path] = entry;
            }
        }

        /// <summary>Metadata: entries that are right but for their time, permission bits or owner.</summary>
        private void AddTouches(List<string> touches)
        {
            foreach (var path in touches)
            {
                var entry = source.Files[path];
                actions.Add(entry.IsLink ? new TouchLink(path, entry.Meta) : new TouchFile(path, entry.Meta));
                files[path] = entry;
            }
        }

        /// <summary>
        /// Last, the directories' own metadata, deepest first: of each SOURCE directory whose metadata
        /// differs in DEST, that the plan made, or whose entries the plan changed (which moved its time).
        /// A DEST directory whose metadata its endpoint does not tell is compared no further.
        /// </summary>
        private void TouchDirectories()
        {
            if (source.DirectoryMeta.Count == 0)
            {
                return;
            }
            var changed = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
            foreach (var action in actions)
            {
                foreach (var path in action.ChangesParents ? action.Touches : [])
                {
                    changed.Add(FileTrees.Parent(path));
                }
            }
            var wanted = new List<string>();
            foreach (var (dir, meta) in source.DirectoryMeta)
            {
                if ((dir.Length == 0 || dirs.Contains(dir))
                    && (changed.Contains(dir) || made.Contains(dir) || (dest.DirectoryMeta.TryGetValue(dir, out var have) && !have.SameAs(meta, window))))
                {
                    wanted.Add(dir);
                }
            }
            wanted.Sort(StringComparer.Ordinal);
            for (var i = wanted.Count - 1; i >= 0; i--)
            {
                actions.Add(new TouchDirectory(wanted[i], source.DirectoryMeta[wanted[i]]));
            }
        }

        /// <summary>Empty directories of SOURCE that DEST still lacks (the others were made on the way).</summary>
        private void MakeMissingDirectories()
        {
            var missingDirs = sourceDirs.Where(d => !dirs.Contains(d)).ToList();
            missingDirs.Sort(StringComparer.Ordinal);
            foreach (var dir in missingDirs)
            {
                EnsureDirectory(dir);
            }
        }

        /// <summary>
        /// Decides where each target's bytes come from: an obsolete DEST file with that content is moved
        /// (preferring one with the same name), further targets of that content are copied locally from a
        /// file that keeps it, and only content DEST lacks is transferred, once.
        /// </summary>
        private (List<Move> Moves, List<string> Transfers, List<(string From, string To)> LocalCopies) Assign(List<string> targets)
        {
            var byKey = new Dictionary<ContentKey, List<string>>();
            var transfers = new List<string>();
            foreach (var path in targets)
            {
                if (KeyOf(source.Files[path]) is { } key)
                {
                    if (!byKey.TryGetValue(key, out var list))
                    {
                        byKey[key] = list = [];
                    }
                    list.Add(path);
                }
                else
                {
                    transfers.Add(path);
                }
            }

            var obsoleteHolders = new Dictionary<ContentKey, List<string>>();
            var keptHolder = new Dictionary<ContentKey, string>();
            // Sizes first: most DEST files have no target of their size, and a size is cheap to look up.
            var wantedSizes = new System.Collections.Generic.HashSet<long>();
            foreach (var key in byKey.Keys)
            {
                wantedSizes.Add(key.Size);
            }
            IEnumerable<KeyValuePair<string, FileEntry>> candidates = wantedSizes.Count == 0 ? [] : dest.Files;
            foreach (var (path, entry) in candidates)
            {
                if (!wantedSizes.Contains(entry.Size) || KeyOf(entry) is not { } key || !byKey.ContainsKey(key))
                {
                    continue;
                }
                if (IsKept(path, entry))
                {
                    if (!keptHolder.TryGetValue(key, out var best) || string.CompareOrdinal(path, best) < 0)
                    {
                        keptHolder[key] = path;
                    }
                }
                else
                {
                    if (!obsoleteHolders.TryGetValue(key, out var list))
                    {
                        obsoleteHolders[key] = list = [];
                    }
                    list.Add(path);
                }
            }

            var moves = new List<Move>();
            var localCopies = new List<(string From, string To)>();
            foreach (var (key, wanted) in byKey)
            {
                var holders = obsoleteHolders.TryGetValue(key, out var h) ? h : [];
                holders.Sort(StringComparer.Ordinal);
                var paired = PairByName(wanted, holders);
                string? stable = keptHolder.TryGetValue(key, out var k) ? k : null;
                foreach (var path in wanted)
                {
                    if (paired.TryGetValue(path, out var from))
                    {
                        var move = new Move(from, path, source.Files[path].Meta);
                        moves.Add(move);
                        pendingByPath[from] = move;
                        stable ??= path;
                    }
                }
                foreach (var path in wanted)
                {
                    if (paired.ContainsKey(path))
                    {
                        continue;
                    }
                    if (stable is null)
                    {
                        transfers.Add(path);
                        stable = path;
                    }
                    else
                    {
                        localCopies.Add((stable, path));
                    }
                }
            }
            moves.Sort((a, b) => string.CompareOrdinal(a.To, b.To));
            transfers.Sort(StringComparer.Ordinal);
            localCopies.Sort((a, b) => string.CompareOrdinal(a.To, b.To));
            return (moves, transfers, localCopies);
        }

        /// <summary>Pairs targets with holders of the same content, same file name first, then in order.</summary>
        private static Dictionary<string, string> PairByName(List<string> wanted, List<string> holders)
        {
            var paired = new Dictionary<string, string>(StringComparer.Ordinal);
            if (holders.Count == 0)
            {
                return paired;
            }
            var byName = new Dictionary<string, Queue<string>>(StringComparer.Ordinal);
            foreach (var holder in holders)
            {
                var name = FileTrees.Name(holder);
                if (!byName.TryGetValue(name, out var queue))
                {
                    byName[name] = queue = new Queue<string>();
                }
                queue.Enqueue(holder);
            }
            var used = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
            foreach (var path in wanted)
            {
                if (byName.TryGetValue(FileTrees.Name(path), out var queue) && queue.Count > 0)
                {
                    var holder = queue.Dequeue();
                    paired[path] = holder;
                    used.Add(holder);
                }
            }
            var rest = holders.Where(h => !used.Contains(h)).GetEnumerator();
            foreach (var path in wanted)
            {
                if (!paired.ContainsKey(path) && rest.MoveNext())
                {
                    paired[path] = rest.Current;
                }
            }
            return paired;
        }

        /// <summary>
        /// Runs every move once nothing pending stands in its way. A move waits for the moves whose files
        /// occupy its target, an ancestor of it, or the directory at it; when that waiting comes back to a
        /// move already waiting, the cycle is broken by stashing that move's file.
        /// </summary>
        private void RunMoves(List<Move> moves)
        {
            var stack = new Stack<Move>();
            foreach (var start in moves)
            {
                if (start.Done)
                {
                    continue;
                }
                start.Visiting = true;
                stack.Push(start);
                while (stack.Count > 0)
                {
                    var move = stack.Peek();
                    var blocker = PendingBlocker(move.To);
                    if (blocker is null)
                    {
                        var replaces = Prepare(move.To);
                        actions.Add(new MoveFile(move.From, move.To, move.Meta, replaces));
                        files[move.To] = files[move.From].WithMeta(move.Meta);
                        files.Remove(move.From);
                        pendingByPath.Remove(move.From);
                        move.Visiting = false;
                        move.Done = true;
                        stack.Pop();
                    }
                    else if (blocker.Visiting)
                    {
                        Stash(blocker);
                    }
                    else
                    {
                        blocker.Visiting = true;
                        stack.Push(blocker);
                    }
                }
            }
        }

        /// <summary>A DEST file that stays: SOURCE has the same content at its path.</summary>
        private bool IsKept(string path, FileEntry destEntry) =>
            source.Files.TryGetValue(path, out var entry) && SameContent(entry, destEntry, checksum, window);

        private Move? PendingBlocker(string target)
        {
            for (var slash = target.IndexOf('/'); slash >= 0; slash = target.IndexOf('/', slash + 1))
            {
                if (pendingByPath.TryGetValue(target[..slash], out var above))
                {
                    return above;
                }
            }
            if (pendingByPath.TryGetValue(target, out var at))
            {
                return at;
            }
            if (dirs.Contains(target))
            {
                foreach (var path in Below(DestFilesSorted(), target))
                {
                    if (pendingByPath.TryGetValue(path, out var inside))
                    {
                        return inside;
                    }
                }
            }
            return null;
        }

        private void Stash(Move move)
        {
            EnsureDirectory(stashRoot);
            var to = stashRoot + "/" + stashCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stashCount++;
            actions.Add(new StashFile(move.From, to));
            files[to] = files[move.From];
            files.Remove(move.From);
            pendingByPath.Remove(move.From);
            pendingByPath[to] = move;
            move.From = to;
        }

        /// <summary>
        /// Makes a path ready to receive a file: parents exist as directories, and a directory standing at
        /// the path is emptied and removed. Returns whether an obsolete file there will be replaced.
        /// </summary>
        private bool Prepare(string path)
        {
            EnsureDirectory(FileTrees.Parent(path));
            if (dirs.Contains(path))
            {
                ClearDirectory(path);
            }
            var replaces = files.ContainsKey(path);
            doomed.Remove(path);
            return replaces;
        }

        private void EnsureDirectory(string dir)
        {
            if (dir.Length == 0 || dirs.Contains(dir))
            {
                return;
            }
            EnsureDirectory(FileTrees.Parent(dir));
            if (files.Remove(dir))
            {
                actions.Add(new DeleteFile(dir));
                doomed.Remove(dir);
            }
            actions.Add(new MakeDirectory(dir));
            dirs.Add(dir);
            made.Add(dir);
        }

        private void ClearDirectory(string dir)
        {
            foreach (var path in Below(DestFilesSorted(), dir))
            {
                if (files.Remove(path))
                {
                    actions.Add(new DeleteFile(path));
                    doomed.Remove(path);
                }
            }
            var inner = Below(DestDirsSorted(), dir).ToList();
            for (var i = inner.Count - 1; i >= 0; i--)
            {
                if (dirs.Remove(inner[i]))
                {
                    actions.Add(new RemoveDirectory(inner[i]));
                }
            }
            dirs.Remove(dir);
            actions.Add(new RemoveDirectory(dir));
        }

        private void DeleteTheRest()
        {
            var gone = doomed.ToArray();
            Array.Sort(gone, StringComparer.Ordinal);
            foreach (var path in gone)
            {
                actions.Add(new DeleteFile(path));
                files.Remove(path);
            }
            var keep = FileTrees.AllDirectories(new FileTree(
                new Dictionary<string, FileEntry>(StringComparer.Ordinal), dest.Pinned));
            var extra = dirs.Where(d => !sourceDirs.Contains(d) && !keep.Contains(d)).ToArray();
            Array.Sort(extra, StringComparer.Ordinal);
            for (var i = extra.Length - 1; i >= 0; i--)
            {
                actions.Add(new RemoveDirectory(extra[i]));
                dirs.Remove(extra[i]);
            }
        }

        private string FreeName(string preferred)
        {
            var name = preferred;
            for (var n = 1; Taken(name); n++)
            {
                name = preferred + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return name;
        }

        private bool Taken(string name) =>
            sourceDirs.Contains(name) || source.Files.ContainsKey(name) || dirs.Contains(name) || files.ContainsKey(name);

        private string[] DestFilesSorted() => destFilesSorted ??= SortedArray(dest.Files.Keys);

        private string[] DestDirsSorted() => destDirsSorted ??= SortedArray(FileTrees.AllDirectories(dest));

        private static string[] SortedArray(IEnumerable<string> paths)
        {
            var array = paths.ToArray();
            Array.Sort(array, StringComparer.Ordinal);
            return array;
        }

        /// <summary>The paths of a sorted array that lie below a directory: one contiguous run.</summary>
        private static IEnumerable<string> Below(string[] sorted, string dir)
        {
            var prefix = dir + "/";
            var index = Array.BinarySearch(sorted, prefix, StringComparer.Ordinal);
            for (var i = index < 0 ? ~index : index; i < sorted.Length && sorted[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                yield return sorted[i];
            }
        }
    }
}
