using System.IO.Abstractions;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

public sealed record FilesRequest(
    string Source,
    string Dest,
    bool DryRun,
    bool Check,
    bool Json,
    bool Checksum,
    IReadOnlyList<string> Excludes,
    int? MaxDelete,
    bool AllowEmptySource,
    bool Quiet,
    string? BackupDir = null,
    string? PlanOut = null,
    bool NoCache = false,
    string? CacheDir = null,
    bool Verbose = false);

/// <summary>The absolute paths of a run; <see cref="Backup"/> is null without --backup-dir.</summary>
internal sealed record FileRoots(string Source, string Dest, bool DestExists, string? Backup);

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

/// <summary>Where the hash cache lives for a run; null directory = no cache.</summary>
internal sealed record CacheSettings(string? Directory, bool Verbose)
{
    public static readonly CacheSettings Default = new(HashCache.DefaultDirectory(), Verbose: false);
}

/// <summary>One run of the files job: gather, decide, execute, in that order and never back.</summary>
public sealed class FilesRun(IFileSystem fileSystem, TextWriter stdout, TextWriter stderr, Terminal? terminal = null)
{
    private RunProgress progress = RunProgress.Silent;

    public int Run(FilesRequest request)
    {
        if (request.PlanOut is not null && !request.DryRun)
        {
            throw RunStoppedException.BadInput("--plan-out saves a plan to apply later; use it with --dry-run");
        }
        var roots = ResolveRoots(request.Source, request.Dest, request.BackupDir);
        var excludes = ParseExcludes(request.Excludes);
        var options = new FilePlanOptions(Checksum: request.Checksum);
        var writes = !request.DryRun && !request.Check;
        // Taken before gathering, so that the plan is made from a DEST no other run is changing.
        using var held = writes ? RunLock.Acquire(RunLock.ForDirectory(roots.Dest), request.Dest) : null;
        if (writes)
        {
            KillPoint.Step();
        }

        // Gather
        var cache = new CacheSettings(request.NoCache ? null : request.CacheDir ?? HashCache.DefaultDirectory(), request.Verbose);
        var gathered = WithProgress(!request.Quiet && !request.Json, () => Gather(roots, excludes, options, request.Quiet, cache));

        // Decide
        var plan = FilePlanner.Plan(gathered.Source, gathered.Dest, options);
        StageClock.Mark("files: planned");
        Guard(request.Source, request.Dest, request.AllowEmptySource, request.MaxDelete, gathered, plan);

        // Execute, or only show
        if (!writes)
        {
            if (!request.Quiet)
            {
                Print(plan, failures: null, request.Json);
            }
            if (request.PlanOut is { } planOut)
            {
                var saved = new SavedFilePlan(
                    roots.Source,
                    roots.Dest,
                    new SavedFileOptions(request.Checksum, request.Excludes.ToSeq().Strict(), request.MaxDelete, request.AllowEmptySource, roots.Backup),
                    TreeFingerprint.Of(gathered.Source),
                    TreeFingerprint.Of(gathered.Dest),
                    plan);
                PlanFile.Save(fileSystem, planOut, writer => FilePlanWriter.WriteSavedPlan(writer, saved));
            }
            ReportProblems(gathered.Problems);
            return request.Check && !plan.IsEmpty ? ExitCodes.ChangesPending
                : gathered.Problems.Count > 0 ? ExitCodes.SomeActionsFailed
                : ExitCodes.Done;
        }
        return Execute(roots, plan, gathered, request.Json, request.Quiet);
    }

    /// <summary>
    /// <c>reconcile apply</c> for a files plan: gathers both trees again with the saved options, refuses
    /// the plan when either tree's fingerprint changed ("stale plan"), checks that every saved action is
    /// valid on the gathered trees, and then executes exactly the saved actions.
    /// </summary>
    public int Apply(SavedFilePlan saved, bool json, bool quiet)
    {
        var roots = ResolveRoots(saved.Source, saved.Dest, saved.Options.BackupDir);
        var excludes = ParseExcludes(saved.Options.Excludes.ToList());
        var options = new FilePlanOptions(Checksum: saved.Options.Checksum);
        using var held = RunLock.Acquire(RunLock.ForDirectory(roots.Dest), saved.Dest);
        KillPoint.Step();
        var gathered = WithProgress(!quiet && !json, () => Gather(roots, excludes, options, quiet, CacheSettings.Default));
        // Which hashes a gather computes depends on both trees, so a change on one side can show in
        // either fingerprint: the message names both.
        if (TreeFingerprint.Of(gathered.Source) != saved.SourceFingerprint || TreeFingerprint.Of(gathered.Dest) != saved.DestFingerprint)
        {
            throw RunStoppedException.Refused($"stale plan: SOURCE {saved.Source} or DEST {saved.Dest} changed since the plan was made; nothing was changed, make a new plan");
        }
        var fits = FileSimulator.Apply(gathered.Dest, saved.Actions, gathered.Source);
        fits.IfLeft(error => throw RunStoppedException.BadInput($"the plan does not fit its trees, so it was not made by reconcile from them: {error}; nothing was changed"));
        Guard(saved.Source, saved.Dest, saved.Options.AllowEmptySource, saved.Options.MaxDelete, gathered, saved.Actions);
        return Execute(roots, saved.Actions, gathered, json, quiet);
    }

    /// <summary>Runs a long stage under a progress display on stderr, when stderr is a terminal and output allows.</summary>
    private T WithProgress<T>(bool allowed, Func<T> stage)
    {
        var show = allowed && (terminal ?? Terminal.None).ProgressErr;
        return RunProgress.Show(show, p =>
        {
            progress = p;
            try
            {
                return stage();
            }
            finally
            {
                progress = RunProgress.Silent;
            }
        });
    }

    private GatheredTrees Gather(FileRoots roots, List<PathGlob> excludes, FilePlanOptions options, bool quiet, CacheSettings cache)
    {
        var problems = new List<string>();
        var scanning = progress.Counter("scanning");
        var scanner = new TreeScanner(fileSystem) { Entries = n => scanning.Advance(n) };
        var scanStart = DateTime.UtcNow;
        var cacheDir = UsableCacheDirectory(cache.Directory, roots, quiet);
        // With --checksum every file's hash is wanted: each side loads its cache first and its scan
        // takes the hashes the cache still vouches for as it meets each file.
        var early = options.Checksum && cacheDir is not null;
        PreloadedScan ScanSide(string root, bool linksAsEntries)
        {
            string? warning = null;
            var known = early ? HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDir!, root), root, out warning) : null;
            return new PreloadedScan(scanner.Scan(root, excludes, linksAsEntries, known), known, warning);
        }
        // Both trees at once: each scan mostly waits on one stat per entry.
        var destScanning = roots.DestExists ? OwnThread<PreloadedScan>.Start(() => ScanSide(roots.Dest, linksAsEntries: true)) : null;
        var sourcePreloaded = ScanSide(roots.Source, linksAsEntries: false);
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
                stderr.WriteLine($"reconcile: skipping symbolic link {fileSystem.Path.Combine(roots.Source, link)}");
            }
        }
        var sourceTree = sourceScan.Tree;
        var destTree = LeaveAlone(destScan.Tree, sourceScan.Links, sourceScan.Tree.Pinned);
        var wanted = FilePlanner.PathsToHash(sourceTree, destTree, options);
        // The cache look-ups of both sides at once (each loads its own file), then the reading of what
        // neither cache knows, one side after the other (each of those reads uses every core).
        var destCached = OwnThread<CachedSide>.Start(() => FromCache(roots.Dest, destScan, destTree, wanted.Dest, cacheDir, destPreloaded.Cache, destPreloaded.Warning));
        var sourceCached = FromCache(roots.Source, sourceScan, sourceTree, wanted.Source, cacheDir, sourcePreloaded.Cache, sourcePreloaded.Warning);
        var destCachedSide = destCached.Join();
        var source = HashSide(sourceCached, problems, quiet);
        var dest = HashSide(destCachedSide, problems, quiet);
        StageClock.Mark("files: hashed");
        if (cache.Verbose)
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
    private (FileTree Tree, HashedSide Side, int FromCache) HashSide(CachedSide side, List<string> problems, bool quiet)
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
            var (hashed, hashProblems) = new ContentHasher(fileSystem) { Hashed = bytes => hashing.Advance(bytes) }.Hash(side.Root, missing);
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

    /// <summary>The cache directory, unless it lies inside SOURCE or DEST: nothing may be written there.</summary>
    private string? UsableCacheDirectory(string? directory, FileRoots roots, bool quiet)
    {
        if (directory is null)
        {
            return null;
        }
        var full = fileSystem.Path.GetFullPath(directory);
        if (IsInside(full, roots.Source) || IsInside(full, roots.Dest))
        {
            if (!quiet)
            {
                stderr.WriteLine($"reconcile: not using the hash cache {full}: it lies inside SOURCE or DEST");
            }
            return null;
        }
        return full;
    }

    private bool IsInside(string path, string root)
    {
        var separator = fileSystem.Path.DirectorySeparatorChar;
        var a = path.TrimEnd(separator) + separator;
        var b = root.TrimEnd(separator) + separator;
        return a.StartsWith(b, StringComparison.Ordinal);
    }

    /// <summary>Remembers the hashes of this run for the next one; DEST paths the plan touched are forgotten.</summary>
    private void SaveCaches(GatheredTrees gathered, Seq<FileAction> plan, bool quiet)
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

    private int Execute(FileRoots roots, Seq<FileAction> plan, GatheredTrees gathered, bool json, bool quiet)
    {
        var problems = gathered.Problems;
        if (!roots.DestExists)
        {
            fileSystem.Directory.CreateDirectory(roots.Dest);
        }
        var backups = roots.Backup is { } backupRoot ? new BackupStore(backupRoot, roots.Dest) : null;
        var executor = new FileExecutor(fileSystem, roots.Source, roots.Dest, backups);
        var textOut = !quiet && !json;
        // While a progress display is live on the terminal, applied lines wait, so the two never mix.
        var lines = new List<string>();
        var result = WithProgress(!quiet && !json, () =>
        {
            var copying = progress.Stage("copying", FileSummary.Of(plan).BytesToCopy);
            var done = executor.Execute(plan, a =>
            {
                copying.Advance(a.BytesFromSource);
                if (textOut)
                {
                    lock (lines)
                    {
                        if (progress.Visible)
                        {
                            lines.Add(FilePlanWriter.Line(a));
                        }
                        else
                        {
                            stdout.WriteLine(FilePlanWriter.Line(a));
                        }
                    }
                }
            });
            copying.Done();
            return done;
        });
        lines.ForEach(stdout.WriteLine);
        if (textOut)
        {
            stdout.WriteLine(FilePlanWriter.SummaryLine(FileSummary.Of(result.Applied)));
        }
        else if (!quiet)
        {
            FilePlanWriter.WriteJson(stdout, plan, result.Failures);
        }
        problems.AddRange(result.Failures);
        SaveCaches(gathered, plan, quiet);
        ReportProblems(problems);
        return problems.Count > 0 ? ExitCodes.SomeActionsFailed : ExitCodes.Done;
    }

    private void Print(Seq<FileAction> plan, IReadOnlyList<string>? failures, bool json)
    {
        if (json)
        {
            FilePlanWriter.WriteJson(stdout, plan, failures);
        }
        else
        {
            FilePlanWriter.WriteText(stdout, plan);
        }
    }

    private void ReportProblems(List<string> problems)
    {
        foreach (var problem in problems)
        {
            stderr.WriteLine($"reconcile: {problem}");
        }
        if (problems.Count > 0)
        {
            stderr.WriteLine($"reconcile: {problems.Count} problem(s); everything else was done");
        }
    }

    /// <summary>
    /// An unmounted disk often leaves its mount point behind as an empty directory, or a tree of empty
    /// directories: a SOURCE without a single file while DEST has files is refused unless allowed.
    /// </summary>
    private static void Guard(string source, string dest, bool allowEmptySource, int? maxDelete, GatheredTrees trees, Seq<FileAction> plan)
    {
        if (!allowEmptySource && trees.Source.Files.Count == 0 && trees.Dest.Files.Values.Any(f => !f.IsLink))
        {
            throw RunStoppedException.Refused(
                $"SOURCE {source} has no files but DEST {dest} has; is a disk unmounted? Use --allow-empty-source to empty DEST. Nothing was changed.");
        }
        var deletes = plan.Count(a => a is DeleteFile);
        if (maxDelete is { } max && deletes > max)
        {
            throw RunStoppedException.Refused($"the plan deletes {deletes} files, more than --max-delete {max}; nothing was changed");
        }
    }

    /// <summary>
    /// DEST entries that the run must not touch: links where SOURCE has a link too (both are skipped), and
    /// whatever lies under a SOURCE directory that could not be read (its contents are unknown).
    /// </summary>
    private static FileTree LeaveAlone(FileTree dest, IReadOnlyList<string> sourceLinks, IReadOnlySet<string> sourceUnreadable)
    {
        if (sourceLinks.Count == 0 && sourceUnreadable.Count == 0)
        {
            return dest;
        }
        var links = sourceLinks.ToHashSet(StringComparer.Ordinal);
        bool Untouchable(string path) =>
            links.Contains(path) || sourceUnreadable.Any(u => path == u || FileTrees.IsBelow(path, u));
        var files = dest.Files.Where(f => !Untouchable(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var dirs = dest.Directories.Where(d => !sourceUnreadable.Any(u => FileTrees.IsBelow(d, u))).ToHashSet(StringComparer.Ordinal);
        var pinned = dest.Pinned.Concat(sourceUnreadable).Concat(sourceLinks.Select(FileTrees.Parent).Where(p => p.Length > 0))
            .ToHashSet(StringComparer.Ordinal);
        return new FileTree(files, dirs, pinned);
    }

    private FileRoots ResolveRoots(string source, string dest, string? backup)
    {
        var sourceFull = fileSystem.Path.GetFullPath(source);
        var destFull = fileSystem.Path.GetFullPath(dest);
        if (fileSystem.File.Exists(destFull))
        {
            throw RunStoppedException.BadInput($"DEST {dest} is a file, not a directory");
        }
        var destExists = fileSystem.Directory.Exists(destFull);
        if (!fileSystem.Directory.Exists(sourceFull))
        {
            if (fileSystem.File.Exists(sourceFull))
            {
                throw RunStoppedException.BadInput($"SOURCE {source} is a file, not a directory");
            }
            // A SOURCE that vanished (an unmounted disk, a network share gone) must never look like a
            // typo that is safe to ignore: with something in DEST, it is a guard refusal.
            if (destExists && fileSystem.Directory.EnumerateFileSystemEntries(destFull).Any())
            {
                throw RunStoppedException.Refused($"SOURCE {source} does not exist but DEST {dest} is not empty; is a disk unmounted? Nothing was changed.");
            }
            throw RunStoppedException.BadInput($"SOURCE {source} does not exist");
        }
        try
        {
            using var entries = fileSystem.Directory.EnumerateFileSystemEntries(sourceFull).GetEnumerator();
            entries.MoveNext();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RunStoppedException.Refused($"SOURCE {source} cannot be read ({e.Message}); nothing was changed");
        }
        if (!destExists)
        {
            var parent = fileSystem.Path.GetDirectoryName(destFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar));
            if (parent is null || !fileSystem.Directory.Exists(parent))
            {
                throw RunStoppedException.BadInput($"DEST {dest} does not exist, and neither does its parent directory");
            }
        }
        if (CanonicalPath.Overlap(sourceFull, destFull))
        {
            throw RunStoppedException.BadInput($"SOURCE {source} and DEST {dest} overlap; a mirror must live outside its source");
        }
        string? backupFull = null;
        if (backup is not null)
        {
            backupFull = fileSystem.Path.GetFullPath(backup);
            if (fileSystem.File.Exists(backupFull))
            {
                throw RunStoppedException.BadInput($"--backup-dir {backup} is a file, not a directory");
            }
            // Inside SOURCE it would write into SOURCE; inside DEST it would be part of the mirror (and be
            // deleted by the next run); around either, a backup's relative path could land inside them.
            if (CanonicalPath.Overlap(backupFull, sourceFull) || CanonicalPath.Overlap(backupFull, destFull))
            {
                throw RunStoppedException.BadInput($"--backup-dir {backup} overlaps SOURCE or DEST; it must be a directory outside both");
            }
        }
        return new FileRoots(sourceFull, destFull, destExists, backupFull);
    }

    private static List<PathGlob> ParseExcludes(IReadOnlyList<string> patterns)
    {
        var globs = new List<PathGlob>();
        foreach (var pattern in patterns)
        {
            try
            {
                globs.Add(PathGlob.Parse(pattern));
            }
            catch (ArgumentException e)
            {
                throw RunStoppedException.BadInput($"--exclude {pattern}: {e.Message}");
            }
        }
        return globs;
    }
}
