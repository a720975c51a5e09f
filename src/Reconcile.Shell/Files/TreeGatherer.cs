using System.IO.Abstractions;
using System.Runtime.InteropServices;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>Both trees as gathered, ready to plan, and what could not be read on the way.</summary>
internal sealed record GatheredTrees(FileTree Source, FileTree Dest, List<string> Problems, HashedSide? SourceSide = null, HashedSide? DestSide = null)
{
    /// <summary>When the scan began: a file modified after it may have changed while it was hashed.</summary>
    public DateTime ScanStart { get; init; }
}

/// <summary>A scan, with the hash cache it was given (and the warning of loading it), if any.</summary>
internal sealed record PreloadedScan(ScanResult Scan, HashCache? Cache, string? Warning);

/// <summary>
/// One side after its hash-cache look-ups: <see cref="Files"/> is null when the tree already holds every
/// wanted hash (none was wanted, or the scan took them all from the cache).
/// </summary>
internal sealed record CachedSide(
    IMirrorEndpoint Endpoint, ScanResult Scan, FileTree Tree, Dictionary<string, FileEntry>? Files, HashCache? Cache, string? Warning, List<string> ToRead, int FromCache);

/// <summary>What the hash cache needs after a run: the scan, the cache as loaded, and the hashes computed.</summary>
internal sealed record HashedSide(string Root, ScanResult Scan, HashCache? Cache, IReadOnlyDictionary<string, ContentHash> Fresh);

/// <summary>
/// The gather step of a files run: both trees scanned at once through their endpoints, the links of
/// SOURCE left alone in DEST, and the hashes the planner needs taken from the hash cache or read. After
/// the run, <see cref="SaveCaches"/> remembers the hashes for the next one.
/// </summary>
internal sealed class TreeGatherer(LocalAccess access, TextWriter stderr, RunProgress progress)
{
    private readonly IFileSystem fileSystem = access.FileSystem;

    /// <param name="cacheDir">The hash cache's directory, already checked to lie outside both roots; null = no cache.</param>
    /// <param name="fingerprinted">Whether the trees are fingerprinted (a saved plan): then every hash given is a SHA-256.</param>
    public GatheredTrees Gather(
        IMirrorEndpoint sourceSide, IMirrorEndpoint destSide, bool destExists, List<PathGlob> excludes, FilePlanOptions options, bool quiet, string? cacheDir, bool verbose, bool fingerprinted)
    {
        var roots = (Source: sourceSide.Root, Dest: destSide.Root);
        var problems = new List<string>();
        var scanning = progress.Counter("scanning");
        var scanStart = DateTime.UtcNow;
        // With --checksum every file's hash is wanted: each side loads its cache first and its scan
        // takes the hashes the cache still vouches for as it meets each file.
        var early = options.Checksum && cacheDir is not null;
        PreloadedScan ScanSide(IMirrorEndpoint side, bool asDest)
        {
            string? warning = null;
            var known = early ? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir!, side.Root), side.Root, out warning) : null;
            return new PreloadedScan(side.Scan(excludes, asDest, known, n => scanning.Advance(n)), known, warning);
        }
        // Both trees at once: each scan mostly waits on one stat per entry.
        var destScanning = destExists ? OwnThread<PreloadedScan>.Start(() => ScanSide(destSide, asDest: true)) : null;
        var sourcePreloaded = ScanSide(sourceSide, asDest: false);
        var sourceScan = sourcePreloaded.Scan;
        var destPreloaded = destScanning?.Join() ?? new PreloadedScan(ScanResult.Empty, null, null);
        var destScan = destPreloaded.Scan;
        StageClock.Mark("files: scanned");
        scanning.Done();
        problems.AddRange(sourceScan.Problems);
        problems.AddRange(destScan.Problems);
        if (!quiet)
        {
            // One warning for each thing a run that is not root cannot keep, as rsync skips them.
            if (sourceScan.Skipped.Count > 0)
            {
                var first = TerminalText.Escape(fileSystem.Path.Combine(roots.Source, sourceScan.Skipped[0]));
                stderr.WriteLine($"reconcile: skipping {sourceScan.Skipped.Count} device file(s) of SOURCE, such as {first}: only root can make devices");
            }
            if (sourceScan.OwnedByOthers > 0)
            {
                stderr.WriteLine($"reconcile: not keeping owners and groups: {sourceScan.OwnedByOthers} entries of SOURCE belong to other users, and only root can give their copies away");
            }
        }
        var sourceTree = sourceScan.Tree;
        var destTree = FileGuards.LeaveAlone(destScan.Tree, sourceScan.Skipped, sourceScan.Unreadable);
        var wanted = FilePlanner.PathsToHash(sourceTree, destTree, options);
        // The cache look-ups of both sides at once (each loads its own file), then the reading of what
        // neither cache knows, one side after the other (each of those reads uses every core).
        var destCached = OwnThread<CachedSide>.Start(() => FromCache(destSide, destScan, destTree, wanted.Dest, cacheDir, destPreloaded.Cache, destPreloaded.Warning));
        var sourceCached = FromCache(sourceSide, sourceScan, sourceTree, wanted.Source, cacheDir, sourcePreloaded.Cache, sourcePreloaded.Warning);
        var destCachedSide = destCached.Join();
        // A pair found to hold the same bytes needs its SHA-256 only for a cache or a saved plan.
        var (sourceFresh, destFresh) = HashPairs(sourceCached, destCachedSide, problems, hashWhenSame: cacheDir is not null || fingerprinted);
        foreach (var warning in new[] { sourceCached.Warning, destCachedSide.Warning })
        {
            if (warning is not null && !quiet)
            {
                stderr.WriteLine($"reconcile: {warning}");
            }
        }
        // A remote side's files are hashed on their host, which this machine only waits for: that side
        // is asked on a thread of its own while this machine reads its own side's files. Two local sides
        // take turns, as each read uses every core.
        var remoteSide = (sourceCached.Endpoint is LocalEndpoint) == (destCachedSide.Endpoint is LocalEndpoint) ? null
            : sourceCached.Endpoint is LocalEndpoint ? destCachedSide : sourceCached;
        var sourceProblems = new List<string>();
        var destProblems = new List<string>();
        var remoteHashing = remoteSide is null ? null : OwnThread<HashedTree>.Start(() => ReferenceEquals(remoteSide, sourceCached)
            ? HashSide(sourceCached, sourceFresh, sourceProblems)
            : HashSide(destCachedSide, destFresh, destProblems));
        var source = ReferenceEquals(remoteSide, sourceCached) ? null : HashSide(sourceCached, sourceFresh, sourceProblems);
        var dest = ReferenceEquals(remoteSide, destCachedSide) ? null : HashSide(destCachedSide, destFresh, destProblems);
        var remote = remoteHashing?.Join();
        source ??= remote!;
        dest ??= remote!;
        problems.AddRange(sourceProblems);
        problems.AddRange(destProblems);
        StageClock.Mark("files: hashed");
        if (verbose)
        {
            stderr.WriteLine(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"reconcile: scanned {sourceTree.Files.Count} + {destTree.Files.Count} files; hashes wanted {wanted.Source.Count} + {wanted.Dest.Count}, hashed {source.Side.Fresh.Count} + {dest.Side.Fresh.Count}, from cache {source.FromCache} + {dest.FromCache} ({(DateTime.UtcNow - scanStart).TotalSeconds:0.000} s)"));
        }
        return new GatheredTrees(source.Tree, dest.Tree, problems, source.Side, dest.Side) { ScanStart = scanStart };
    }

    /// <summary>
    /// One side's wanted paths looked up in its hash cache: the files (a copy of the tree's, with the
    /// hashes the cache still vouches for), and the paths it does not know. No hashing, no output.
    /// </summary>
    private CachedSide FromCache(
        IMirrorEndpoint endpoint, ScanResult scan, FileTree tree, Seq<string> wanted, string? cacheDir, HashCache? preloaded, string? preloadWarning)
    {
        if (wanted.IsEmpty)
        {
            return new CachedSide(endpoint, scan, tree, null, preloaded, preloadWarning, [], 0);
        }
        // The files are copied only when a hash is to be filled in.
        Dictionary<string, FileEntry>? copy = null;
        Dictionary<string, FileEntry> Files() => copy ??= tree.Files is Dictionary<string, FileEntry> scanned
            ? new Dictionary<string, FileEntry>(scanned, StringComparer.Ordinal)
            : tree.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        if (cacheDir is null)
        {
            return new CachedSide(endpoint, scan, tree, Files(), null, null, [.. wanted], 0);
        }
        string? warning = preloadWarning;
        var cache = preloaded ?? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir, endpoint.Root), endpoint.Root, out warning);
        var toRead = new List<string>();
        var fromCache = 0;
        foreach (var path in wanted.ToArray())
        {
            var entry = tree.Files[path];
            if (entry.Hash is not null)
            {
                // Taken from the cache during the scan.
                fromCache++;
            }
            else if (preloaded is null && cache.TryGet(path, entry, scan.InodeOf(path), out var hash))
            {
                Files()[path] = entry with { Hash = hash };
                fromCache++;
            }
            else
            {
                toRead.Add(path);
            }
        }
        return new CachedSide(endpoint, scan, tree, toRead.Count > 0 ? Files() : copy, cache, warning, toRead, fromCache);
    }

    /// <summary>
    /// The files both local sides must hash at the same path with the same size (with --checksum, every
    /// file of a mirror): SOURCE's are hashed and DEST's compared with them byte for byte as they are read,
    /// so a DEST file with the same bytes takes SOURCE's hash without being hashed itself. What this
    /// settles leaves the sides' lists of paths to read; a DEST file that differs stays on its list.
    /// With <paramref name="hashWhenSame"/> false, a pair that holds the same bytes is not hashed at all:
    /// both files get one stand-in hash of their own (<see cref="StandIn"/>), equal to each other and to
    /// nothing else, which is all the planner asks of it (the same content at the same path: no action).
    /// </summary>
    private (Dictionary<string, ContentHash> Source, Dictionary<string, ContentHash> Dest) HashPairs(
        CachedSide source, CachedSide dest, List<string> problems, bool hashWhenSame)
    {
        var sourceFresh = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        var destFresh = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        if (source.Endpoint is not LocalEndpoint sourceLocal || dest.Endpoint is not LocalEndpoint destLocal
            || source.Files is not { } sourceFiles || dest.Files is not { } destFiles || dest.ToRead.Count == 0)
        {
            return (sourceFresh, destFresh);
        }
        // Each path is looked up as few times as can be: at 100k files, looking paths up was a tenth of
        // a --checksum run's time.
        var destToRead = new System.Collections.Generic.HashSet<string>(dest.ToRead, StringComparer.Ordinal);
        var pairs = new List<string>();
        var unpaired = new List<string>();
        double bytes = 0;
        foreach (var path in source.ToRead)
        {
            var size = sourceFiles[path].Size;
            if (destToRead.Contains(path) && destFiles[path].Size == size)
            {
                pairs.Add(path);
                bytes += size;
            }
            else
            {
                unpaired.Add(path);
            }
        }
        if (pairs.Count == 0)
        {
            return (sourceFresh, destFresh);
        }
        var hashing = progress.Stage("hashing " + source.Endpoint.Root, bytes);
        var (hashed, same, hashProblems) = sourceLocal.HashBeside(destLocal, pairs, n => hashing.Advance(n), hashWhenSame);
        hashing.Done();
        problems.AddRange(hashProblems);
        var standIns = 0UL;
        for (var i = 0; i < pairs.Count; i++)
        {
            var path = pairs[i];
            ref var sourceEntry = ref CollectionsMarshal.GetValueRefOrNullRef(sourceFiles, path);
            var hash = hashed[i] ?? (same[i] ? StandIn(++standIns) : null);
            if (hash is not { } known)
            {
                continue;
            }
            sourceEntry = sourceEntry with { Hash = known };
            if (hashed[i] is not null)
            {
                sourceFresh[path] = known;
            }
            if (same[i])
            {
                ref var destEntry = ref CollectionsMarshal.GetValueRefOrNullRef(destFiles, path);
                destEntry = destEntry with { Hash = known };
                destToRead.Remove(path);
                if (hashed[i] is not null)
                {
                    destFresh[path] = known;
                }
            }
        }
        // Every pair was tried on SOURCE's side, read or reported; DEST's side keeps what is not settled.
        source.ToRead.Clear();
        source.ToRead.AddRange(unpaired);
        if (destToRead.Count < dest.ToRead.Count)
        {
            dest.ToRead.RemoveAll(path => !destToRead.Contains(path));
        }
        return (sourceFresh, destFresh);
    }

    /// <summary>
    /// The stand-in hash of the <paramref name="pair"/>th pair of files known to hold the same bytes: 192
    /// zero bits, then the pair's number. No SHA-256 is ever seen to start with 192 zero bits (one in
    /// 2^192), so it matches its pair only. It never reaches a cache, a saved plan or the output.
    /// </summary>
    private static ContentHash StandIn(ulong pair) => new(0, 0, 0, pair);

    /// <summary>Reads and hashes what the cache did not know, and gives the side's tree with every wanted hash.</summary>
    private HashedTree HashSide(CachedSide side, Dictionary<string, ContentHash> fresh, List<string> problems)
    {
        if (side.Files is not { } files)
        {
            return new(side.Tree, new HashedSide(side.Endpoint.Root, side.Scan, side.Cache, fresh), side.FromCache);
        }
        if (side.ToRead.Count > 0)
        {
            var missing = side.ToRead.ToSeq();
            var hashing = progress.Stage("hashing " + side.Endpoint.Root, side.ToRead.Sum(p => (double)files[p].Size));
            var (hashed, hashProblems) = side.Endpoint.Hash(missing, bytes => hashing.Advance(bytes));
            hashing.Done();
            problems.AddRange(hashProblems);
            foreach (var (path, hash) in hashed)
            {
                files[path] = files[path] with { Hash = hash };
                fresh[path] = hash;
            }
        }
        return new(side.Tree with { Files = files }, new HashedSide(side.Endpoint.Root, side.Scan, side.Cache, fresh), side.FromCache);
    }

    /// <summary>One side's tree with every wanted hash, what the cache needs of it, and how many hashes the cache gave.</summary>
    private sealed record HashedTree(FileTree Tree, HashedSide Side, int FromCache);

    /// <summary>
    /// Remembers the hashes of this run for the next one; DEST paths the plan touched are forgotten, then
    /// <paramref name="sentToDest"/> (the hashes of files sent to a remote DEST, as computed while they
    /// were sent) added: each cache is read and written once.
    /// </summary>
    public void SaveCaches(GatheredTrees gathered, Seq<FileAction> plan, bool quiet, string? cacheDir = null, IReadOnlyList<KeyValuePair<string, CachedHash>>? sentToDest = null)
    {
        var touched = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan)
        {
            foreach (var path in action.Touches)
            {
                touched.Add(path);
            }
        }
        SaveCache(gathered.SourceSide, gathered.Source, new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal), gathered.ScanStart, quiet, null, []);
        SaveCache(gathered.DestSide, gathered.Dest, touched, gathered.ScanStart, quiet, cacheDir, sentToDest ?? []);
    }

    private void SaveCache(
        HashedSide? side, FileTree tree, System.Collections.Generic.HashSet<string> touched, DateTime scanStart, bool quiet, string? cacheDir, IReadOnlyList<KeyValuePair<string, CachedHash>> sent)
    {
        if (side is null || (side.Fresh.Count == 0 && touched.Count == 0 && sent.Count == 0))
        {
            return;
        }
        // A side that wanted no hash has no cache loaded: it is loaded now only to add what was sent.
        var cache = side.Cache ?? (sent.Count > 0 && cacheDir is not null ? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir, side.Root), side.Root, out _) : null);
        if (cache is null)
        {
            return;
        }
        var next = cache.Updated(tree, side.Scan.InodeOf, side.Fresh, touched, scanStart).With(sent);
        if (side.Fresh.Count == 0 && sent.Count == 0 && next.Count == cache.Count)
        {
            return;
        }
        try
        {
            next.Save(fileSystem, side.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!quiet)
            {
                stderr.WriteLine($"reconcile: could not save the hash cache {cache.File}: {e.Message}");
            }
        }
    }
}
