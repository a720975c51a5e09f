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
    bool Quiet);

/// <summary>One run of the files job: gather, decide, execute, in that order and never back.</summary>
public sealed class FilesRun(IFileSystem fileSystem, TextWriter stdout, TextWriter stderr)
{
    public int Run(FilesRequest request)
    {
        var (sourceRoot, destRoot, destExists) = ResolveRoots(request.Source, request.Dest);
        var excludes = ParseExcludes(request.Excludes);
        var options = new FilePlanOptions(Checksum: request.Checksum);
        var problems = new List<string>();

        // Gather
        var scanner = new TreeScanner(fileSystem);
        var sourceScan = scanner.Scan(sourceRoot, excludes, linksAsEntries: false);
        var destScan = destExists ? scanner.Scan(destRoot, excludes, linksAsEntries: true) : ScanResult.Empty;
        problems.AddRange(sourceScan.Problems);
        problems.AddRange(destScan.Problems);
        if (!request.Quiet)
        {
            foreach (var link in sourceScan.Links)
            {
                stderr.WriteLine($"reconcile: skipping symbolic link {fileSystem.Path.Combine(sourceRoot, link)}");
            }
        }
        var sourceTree = sourceScan.Tree;
        var destTree = LeaveAlone(destScan.Tree, sourceScan.Links, sourceScan.Tree.Pinned);
        var hasher = new ContentHasher(fileSystem);
        var request2 = FilePlanner.PathsToHash(sourceTree, destTree, options);
        var (sourceHashes, sourceHashProblems) = hasher.Hash(sourceRoot, request2.Source);
        var (destHashes, destHashProblems) = hasher.Hash(destRoot, request2.Dest);
        problems.AddRange(sourceHashProblems);
        problems.AddRange(destHashProblems);
        sourceTree = ContentHasher.WithHashes(sourceTree, sourceHashes);
        destTree = ContentHasher.WithHashes(destTree, destHashes);

        // Decide
        var plan = FilePlanner.Plan(sourceTree, destTree, options);
        Guard(request, sourceTree, destTree, plan);

        // Execute, or only show
        if (request.DryRun || request.Check)
        {
            if (!request.Quiet)
            {
                Print(plan, failures: null, request.Json);
            }
            ReportProblems(problems);
            return request.Check && !plan.IsEmpty ? ExitCodes.ChangesPending
                : problems.Count > 0 ? ExitCodes.SomeActionsFailed
                : ExitCodes.Done;
        }
        if (!destExists)
        {
            fileSystem.Directory.CreateDirectory(destRoot);
        }
        var executor = new FileExecutor(fileSystem, sourceRoot, destRoot);
        var textOut = !request.Quiet && !request.Json;
        var result = executor.Execute(plan, textOut ? a => stdout.WriteLine(FilePlanWriter.Line(a)) : null);
        if (textOut)
        {
            stdout.WriteLine(FilePlanWriter.SummaryLine(FileSummary.Of(result.Applied)));
        }
        else if (!request.Quiet)
        {
            FilePlanWriter.WriteJson(stdout, plan, result.Failures);
        }
        problems.AddRange(result.Failures);
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

    private static void Guard(FilesRequest request, FileTree source, FileTree dest, Seq<FileAction> plan)
    {
        if (!request.AllowEmptySource && source.Files.Count == 0 && source.Directories.Count == 0 && dest.Files.Count > 0)
        {
            throw RunStoppedException.Refused(
                $"SOURCE {request.Source} is empty but DEST {request.Dest} is not; is a disk unmounted? Use --allow-empty-source to empty DEST.");
        }
        var deletes = plan.Count(a => a is DeleteFile);
        if (request.MaxDelete is { } max && deletes > max)
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

    private (string Source, string Dest, bool DestExists) ResolveRoots(string source, string dest)
    {
        var sourceFull = fileSystem.Path.GetFullPath(source);
        var destFull = fileSystem.Path.GetFullPath(dest);
        if (!fileSystem.Directory.Exists(sourceFull))
        {
            throw RunStoppedException.BadInput(fileSystem.File.Exists(sourceFull)
                ? $"SOURCE {source} is a file, not a directory"
                : $"SOURCE {source} does not exist");
        }
        if (fileSystem.File.Exists(destFull))
        {
            throw RunStoppedException.BadInput($"DEST {dest} is a file, not a directory");
        }
        var destExists = fileSystem.Directory.Exists(destFull);
        if (!destExists)
        {
            var parent = fileSystem.Path.GetDirectoryName(destFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar));
            if (parent is null || !fileSystem.Directory.Exists(parent))
            {
                throw RunStoppedException.BadInput($"DEST {dest} does not exist, and neither does its parent directory");
            }
        }
        var a = sourceFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar) + fileSystem.Path.DirectorySeparatorChar;
        var b = destFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar) + fileSystem.Path.DirectorySeparatorChar;
        if (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))
        {
            throw RunStoppedException.BadInput($"SOURCE {source} and DEST {dest} overlap; a mirror must live outside its source");
        }
        return (sourceFull, destFull, destExists);
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
