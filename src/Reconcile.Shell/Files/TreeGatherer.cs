using System.IO.Abstractions;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files.Remote;

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
    string Root, ScanResult Scan, FileTree Tree, Dictionary<string, FileEntry>? Files, HashCache? Cache, string? Warning, List<string> ToRead, int FromCache);

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
    public GatheredTrees Gather(IMirrorEndpoint sourceSide, IMirrorEndpoint destSide, bool destExists, List<PathGlob> excludes, FilePlanOptions options, bool quiet, string? cacheDir, bool verbose)
    {
        var roots = (Source: sourceSide.Root, Dest: destSide.Root);
        var problems = new List<string>();
        var scanning = progress.Counter("scanning");
        var scanStart = DateTime.UtcNow;
        // With --checksum every file's hash is wanted: each side loads its cache first and its scan
        // takes the hashes the cache still vouches for as it meets each file.
        // Times are compared at the coarser resolution of the two sides (SFTP keeps whole seconds); the
        // cache is then consulted with those times, after the scan.
        var resolution = sourceSide.Traits.TimeResolution > destSide.Traits.TimeResolution ? sourceSide.Traits.TimeResolution : destSide.Traits.TimeResolution;
        var early = options.Checksum && cacheDir is not null && resolution.Ticks <= 1;
        PreloadedScan ScanSide(IMirrorEndpoint side, bool linksAsEntries)
        {
            string? warning = null;
            var known = early ? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir!, side.Root), side.Root, out warning) : null;
            return new PreloadedScan(side.Scan(excludes, linksAsEntries, known, n => scanning.Advance(n)), known, warning);
        }
        // Both trees at once: each scan mostly waits on one stat per entry.
        var destScanning = destExists ? OwnThread<PreloadedScan>.Start(() => ScanSide(destSide, linksAsEntries: true)) : null;
        var sourcePreloaded = ScanSide(sourceSide, linksAsEntries: false);
        var sourceScan = sourcePreloaded.Scan;
        var destPreloaded = destScanning?.Join() ?? new PreloadedScan(ScanResult.Empty, null, null);
        var destScan = destPreloaded.Scan;
        StageClock.Mark("files: scanned");
        scanning.Done();
        problems.AddRange(sourceScan.Problems);
        problems.AddRange(destScan.Problems);
        if (!quiet)
        {
            foreach (var link in sourceScan.Links)
            {
                var kind = sourceScan.Specials.Contains(link) ? "special file (FIFO, socket or device)" : "symbolic link";
                stderr.WriteLine($"reconcile: skipping {kind} {TerminalText.Escape(fileSystem.Path.Combine(roots.Source, link))}");
            }
        }
        var sourceTree = CoarseTimes.Of(sourceScan.Tree, resolution);
        var destTree = FileGuards.LeaveAlone(CoarseTimes.Of(destScan.Tree, resolution), sourceScan.Links, sourceScan.Unreadable);
        var wanted = FilePlanner.PathsToHash(sourceTree, destTree, options);
        // The cache look-ups of both sides at once (each loads its own file), then the reading of what
        // neither cache knows, one side after the other (each of those reads uses every core).
        var destCached = OwnThread<CachedSide>.Start(() => FromCache(roots.Dest, destScan, destTree, wanted.Dest, cacheDir, destPreloaded.Cache, destPreloaded.Warning));
        var sourceCached = FromCache(roots.Source, sourceScan, sourceTree, wanted.Source, cacheDir, sourcePreloaded.Cache, sourcePreloaded.Warning);
        var destCachedSide = destCached.Join();
        var source = HashSide(sourceCached, sourceSide, problems, quiet);
        var dest = HashSide(destCachedSide, destSide, problems, quiet);
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
        string root, ScanResult scan, FileTree tree, Seq<string> wanted, string? cacheDir, HashCache? preloaded, string? preloadWarning)
    {
        if (wanted.IsEmpty)
        {
            return new CachedSide(root, scan, tree, null, preloaded, preloadWarning, [], 0);
        }
        // The files are copied only when a hash is to be filled in.
        Dictionary<string, FileEntry>? copy = null;
        Dictionary<string, FileEntry> Files() => copy ??= tree.Files is Dictionary<string, FileEntry> scanned
            ? new Dictionary<string, FileEntry>(scanned, StringComparer.Ordinal)
            : tree.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        if (cacheDir is null)
        {
            return new CachedSide(root, scan, tree, Files(), null, null, [.. wanted], 0);
        }
        string? warning = preloadWarning;
        var cache = preloaded ?? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir, root), root, out warning);
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
        return new CachedSide(root, scan, tree, toRead.Count > 0 ? Files() : copy, cache, warning, toRead, fromCache);
    }

    /// <summary>Reads and hashes what the cache did not know, and gives the side's tree with every wanted hash.</summary>
    private (FileTree Tree, HashedSide Side, int FromCache) HashSide(CachedSide side, IMirrorEndpoint endpoint, List<string> problems, bool quiet)
    {
        if (side.Warning is not null && !quiet)
        {
            stderr.WriteLine($"reconcile: {side.Warning}");
        }
        var fresh = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        if (side.Files is not { } files)
        {
            return (side.Tree, new HashedSide(side.Root, side.Scan, side.Cache, fresh), side.FromCache);
        }
        if (side.ToRead.Count > 0)
        {
            var missing = side.ToRead.ToSeq();
            var hashing = progress.Stage("hashing " + side.Root, side.ToRead.Sum(p => (double)files[p].Size));
            var (hashed, hashProblems) = endpoint is SftpEndpoint remote
                ? remote.Hash(missing, bytes => hashing.Advance(bytes))
                : new ContentHasher(access) { Hashed = bytes => hashing.Advance(bytes) }.Hash(side.Root, missing);
            hashing.Done();
            problems.AddRange(hashProblems);
            foreach (var (path, hash) in hashed)
            {
                files[path] = files[path] with { Hash = hash };
                fresh[path] = hash;
            }
        }
        return (side.Tree with { Files = files }, new HashedSide(side.Root, side.Scan, side.Cache, fresh), side.FromCache);
    }

    /// <summary>Remembers the hashes of this run for the next one; DEST paths the plan touched are forgotten.</summary>
    public void SaveCaches(GatheredTrees gathered, Seq<FileAction> plan, bool quiet)
    {
        var touched = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan)
        {
            foreach (var path in action.Touches)
            {
                touched.Add(path);
            }
        }
        SaveCache(gathered.SourceSide, gathered.Source, new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal), gathered.ScanStart, quiet);
        SaveCache(gathered.DestSide, gathered.Dest, touched, gathered.ScanStart, quiet);
    }

    private void SaveCache(HashedSide? side, FileTree tree, System.Collections.Generic.HashSet<string> touched, DateTime scanStart, bool quiet)
    {
        if (side?.Cache is not { } cache || (side.Fresh.Count == 0 && touched.Count == 0))
        {
            return;
        }
        var next = cache.Updated(tree, side.Scan.InodeOf, side.Fresh, touched, scanStart);
        if (side.Fresh.Count == 0 && next.Count == cache.Count)
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
