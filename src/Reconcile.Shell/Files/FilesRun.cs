using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files.Remote;

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
    bool Verbose = false,
    int ModifyWindow = 0)
{
    /// <summary>Whether the run changes DEST (neither a dry run nor a check).</summary>
    public bool Writes => !DryRun && !Check;
}

/// <summary>One run of the files job: gather, decide, execute, in that order and never back.</summary>
public sealed class FilesRun(LocalAccess access, TextWriter stdout, TextWriter stderr, Terminal? terminal = null, SshOptions? ssh = null)
{
    private RunProgress progress = RunProgress.Silent;

    /// <summary>The remote root of the run, connected, when SOURCE or DEST is on another machine.</summary>
    private SftpEndpoint? remote;

    public int Run(FilesRequest request)
    {
        try
        {
            return RunOnce(request);
        }
        finally
        {
            remote?.Dispose();
        }
    }

    private int RunOnce(FilesRequest request)
    {
        var roots = Places(request);
        var excludes = ParseExcludes(request.Excludes);
        // Taken before gathering, so that the plan is made from a DEST no other run is changing.
        using var held = TakeLock(roots, request.Dest);
        var options = new FilePlanOptions(Checksum: request.Checksum, ModifyWindow: Window(request.ModifyWindow, roots));
        var gathered = Gather(roots, excludes, options, request.Quiet, request.Json, request.Verbose, fingerprinted: roots.PlanOut is not null);
        var plan = FilePlanner.Plan(gathered.Source, gathered.Dest, options);
        StageClock.Mark("files: planned");
        var refusal = FileGuards.Check(request.Source, request.Dest, request.AllowEmptySource, request.MaxDelete, gathered.Source, gathered.Dest, plan);
        ShowRefused(request, plan, refusal);
        return request.Writes
            ? Execute(roots, plan, gathered, request.Json, request.Quiet)
            : Show(request, roots, gathered, plan, options.ModifyWindow);
    }

    /// <summary>
    /// <c>reconcile apply</c> for a files plan: gathers both trees again with the saved options, refuses
    /// the plan when either tree's fingerprint changed ("stale plan"), checks that every saved action is
    /// valid on the gathered trees, and then executes exactly the saved actions.
    /// </summary>
    public int Apply(SavedFilePlan saved, bool json, bool quiet)
    {
        try
        {
            return ApplyOnce(saved, json, quiet);
        }
        finally
        {
            remote?.Dispose();
        }
    }

    private int ApplyOnce(SavedFilePlan saved, bool json, bool quiet)
    {
        var roots = Places(new PlaceRequest(saved.Source, saved.Dest, saved.Options.BackupDir, UserCacheDirectory.Find(), TakesLock: true, PlanOut: null), quiet);
        var excludes = ParseExcludes(saved.Options.Excludes.ToList());
        using var held = TakeLock(roots, saved.Dest);
        var options = new FilePlanOptions(Checksum: saved.Options.Checksum, ModifyWindow: saved.Options.ModifyWindow);
        var gathered = Gather(roots, excludes, options, quiet, json, verbose: false, fingerprinted: true);
        // Which hashes a gather computes depends on both trees, so a change on one side can show in
        // either fingerprint: the message names both.
        if (TreeFingerprint.Of(gathered.Source) != saved.SourceFingerprint || TreeFingerprint.Of(gathered.Dest) != saved.DestFingerprint)
        {
            throw RunStoppedException.Refused($"stale plan: SOURCE {saved.Source} or DEST {saved.Dest} changed since the plan was made; nothing was changed, make a new plan");
        }
        var fits = FileSimulator.Apply(gathered.Dest, saved.Actions, gathered.Source);
        fits.IfLeft(error => throw RunStoppedException.BadInput($"the plan does not fit its trees, so it was not made by reconcile from them: {error}; nothing was changed"));
        Stop(FileGuards.Check(saved.Source, saved.Dest, saved.Options.AllowEmptySource, saved.Options.MaxDelete, gathered.Source, gathered.Dest, saved.Actions));
        return Execute(roots, saved.Actions, gathered, json, quiet);
    }

    /// <summary>
    /// Stops the run when a guard refused it. A dry run shows the refused plan first (nothing is saved),
    /// so that the user can see what the guard stopped.
    /// </summary>
    private void ShowRefused(FilesRequest request, Seq<FileAction> plan, Core.Common.Problem? refusal)
    {
        if (refusal is not null && request.DryRun && !request.Quiet)
        {
            Print(plan, request.Json);
        }
        Stop(refusal);
    }

    /// <summary>Stops the run when a guard refused it.</summary>
    private static void Stop(Core.Common.Problem? refusal)
    {
        if (refusal is not null)
        {
            throw new RunStoppedException(refusal);
        }
    }

    private FileRoots Places(FilesRequest request)
    {
        if (request.PlanOut is not null && !request.DryRun)
        {
            throw RunStoppedException.BadInput("--plan-out saves a plan to apply later; use it with --dry-run");
        }
        var cacheDir = request.NoCache ? null : request.CacheDir ?? UserCacheDirectory.Find();
        return Places(new PlaceRequest(request.Source, request.Dest, request.BackupDir, cacheDir, request.Writes, request.PlanOut), request.Quiet);
    }

    /// <summary>Every place the run uses, resolved and checked once, before anything is written.</summary>
    private FileRoots Places(PlaceRequest request, bool quiet)
    {
        FileRoots roots;
        string? cacheRefused;
        var remoteRoot = RemoteRoot.OfRun(request.Source, request.Dest).IfLeft(problem => throw new RunStoppedException(problem));
        if (remoteRoot.IsSome)
        {
            var other = remoteRoot.IfNone(default((RemoteRoot, bool)));
            (roots, remote) = RemotePlaces.Resolve(
                access.FileSystem, request, other.Root, other.IsDest, ssh ?? SshOptions.Default, note => stderr.WriteLine($"reconcile: {note}"), out cacheRefused);
        }
        else
        {
            roots = FilePlaces.Resolve(access.FileSystem, request, out cacheRefused);
        }
        if (cacheRefused is not null && !quiet)
        {
            stderr.WriteLine($"reconcile: not using the hash cache {cacheRefused}: it lies inside SOURCE or DEST");
        }
        return roots;
    }

    /// <summary>
    /// The modify window the run compares times with: the one asked for, widened to what DEST's file
    /// system keeps (a FAT disk keeps times to 2 seconds, so it needs 1), so that a mirror converges
    /// without the option. A remote side keeps whole seconds, so a negative window (nanoseconds) is
    /// widened to 0 there.
    /// </summary>
    private int Window(int asked, FileRoots roots)
    {
        if (remote is not null)
        {
            // A remote side sets times to what its traits say (whole seconds over SFTP), either way.
            var kept = remote.Traits.TimeResolution;
            return kept >= TimeSpan.FromSeconds(1) ? Math.Max(asked, (int)Math.Ceiling(kept.TotalSeconds) - 1) : asked;
        }
        if (asked < 0 || !roots.DestExists)
        {
            return asked;
        }
        var resolution = new LocalEndpoint(access, roots.Dest).ProbeTimeResolution();
        return Math.Max(asked, (int)Math.Ceiling(resolution.TotalSeconds) - 1);
    }

    private static RunLock? TakeLock(FileRoots roots, string dest)
    {
        if (roots.LockFile is null)
        {
            return null;
        }
        var held = RunLock.Acquire(roots.LockFile, dest);
        KillPoint.Step();
        return held;
    }

    /// <param name="fingerprinted">Whether the trees' fingerprints are saved or checked (a saved plan): then every hash is a SHA-256.</param>
    private GatheredTrees Gather(FileRoots roots, List<PathGlob> excludes, FilePlanOptions options, bool quiet, bool json, bool verbose, bool fingerprinted)
    {
        var gathered = WithProgress(!quiet && !json, () => new TreeGatherer(access, stderr, progress)
            .Gather(Endpoint(roots, source: true), Endpoint(roots, source: false), roots.DestExists, excludes, options, quiet, roots.CacheDirectory, verbose, fingerprinted));
        RefuseNamesARemoteRootCannotHold(gathered, roots);
        return gathered;
    }

    /// <summary>
    /// SFTP carries names as UTF-8 text: a local name that is not UTF-8 would reach the remote host as
    /// another name (with U+FFFD), so the mirror would never converge. Such a run is refused, naming the
    /// first such entry, before anything is changed.
    /// </summary>
    private void RefuseNamesARemoteRootCannotHold(GatheredTrees gathered, FileRoots roots)
    {
        if (remote is null)
        {
            return;
        }
        var (tree, root) = remote.Root == roots.Source ? (gathered.Dest, roots.Dest) : (gathered.Source, roots.Source);
        var first = tree.Files.Keys.Concat(tree.Directories).Where(NameBytes.HasEscapes).Order(StringComparer.Ordinal).FirstOrDefault();
        if (first is not null)
        {
            throw RunStoppedException.Refused(
                $"{TerminalText.Escape(root + "/" + first)}: a name that is not UTF-8 cannot be mirrored to or from a remote root (SFTP names are UTF-8); nothing was changed (exclude or rename it)");
        }
    }

    /// <summary>
    /// The endpoint of a root: the remote one, or a local directory. A local SOURCE for a remote DEST has
    /// its copies owned by the login there, which this machine knows by name only (as rsync maps owners):
    /// only the files of the local user of that name keep their setuid and setgid bits.
    /// </summary>
    private IMirrorEndpoint Endpoint(FileRoots roots, bool source)
    {
        var root = source ? roots.Source : roots.Dest;
        return remote is not null && root == remote.Root ? remote
            : remote is not null && source && access.Native
                ? new LocalEndpoint(access, root) { CopiesOwnedBy = NativeFiles.UserNamed(remote.User) ?? FileMeta.NoOwner }
            : new LocalEndpoint(access, root);
    }

    /// <summary>A dry run or a check: the plan shown (and saved with --plan-out), nothing changed.</summary>
    private int Show(FilesRequest request, FileRoots roots, GatheredTrees gathered, Seq<FileAction> plan, int modifyWindow)
    {
        if (!request.Quiet)
        {
            Print(plan, request.Json);
        }
        if (roots.PlanOut is { } planOut)
        {
            var saved = new SavedFilePlan(
                roots.Source,
                roots.Dest,
                new SavedFileOptions(request.Checksum, request.Excludes.ToSeq().Strict(), request.MaxDelete, request.AllowEmptySource, roots.Backup, modifyWindow),
                TreeFingerprint.Of(gathered.Source),
                TreeFingerprint.Of(gathered.Dest),
                plan);
            PlanFile.Save(access.FileSystem, planOut, writer => FilePlanWriter.WriteSavedPlan(writer, saved));
        }
        ReportProblems(gathered.Problems);
        return request.Check && !plan.IsEmpty ? ExitCodes.ChangesPending
            : gathered.Problems.Count > 0 ? ExitCodes.SomeActionsFailed
            : ExitCodes.Done;
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

    private int Execute(FileRoots roots, Seq<FileAction> plan, GatheredTrees gathered, bool json, bool quiet)
    {
        var problems = gathered.Problems;
        Interruption.StartWriting();
        var remoteDest = remote is not null && roots.Dest == remote.Root ? remote : null;
        if (!roots.DestExists)
        {
            if (remoteDest is not null)
            {
                remoteDest.CreateRoot();
            }
            else
            {
                access.FileSystem.Directory.CreateDirectory(roots.Dest);
            }
        }
        Action<string>? keep = roots.Backup is not { } backupRoot ? null
            : remoteDest is not null ? relative => remoteDest.KeepIn(backupRoot, relative)
            : new BackupStore(backupRoot, roots.Dest).Keep;
        if (remote is not null)
        {
            MirrorRunner.ReleaseHeap();
        }
        var runner = new MirrorRunner(Endpoint(roots, source: true), Endpoint(roots, source: false), keep);
        var textOut = !quiet && !json;
        // While a progress display is live on the terminal, applied lines wait, so the two never mix.
        var lines = new List<string>();
        var result = WithProgress(!quiet && !json, () =>
        {
            var copying = progress.Stage("copying", FileSummary.Of(plan).BytesToCopy);
            var done = runner.Execute(plan, a =>
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
        StageClock.Mark("files: carried out");
        lines.ForEach(stdout.WriteLine);
        if (textOut)
        {
            stdout.WriteLine(FilePlanWriter.OutcomeLine(result));
        }
        else if (!quiet)
        {
            FilePlanWriter.WriteJson(stdout, plan, result);
        }
        problems.AddRange(result.Failures);
        var sent = remoteDest is null ? [] : SentHashes.Settled(roots.CacheDirectory, remoteDest, gathered.ScanStart);
        new TreeGatherer(access, stderr, RunProgress.Silent).SaveCaches(gathered, plan, quiet, roots.CacheDirectory, sent);
        StageClock.Mark("files: hash caches saved");
        ReportProblems(problems);
        if (result.Interrupted)
        {
            stderr.WriteLine($"reconcile: stopped by {Interruption.Name}: {result.Applied.Count} actions done, {result.NotStarted} not started; run again to finish");
            return Interruption.ExitCode;
        }
        return problems.Count > 0 ? ExitCodes.SomeActionsFailed : ExitCodes.Done;
    }

    private void Print(Seq<FileAction> plan, bool json)
    {
        if (json)
        {
            FilePlanWriter.WriteJson(stdout, plan);
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

    private static List<PathGlob> ParseExcludes(IReadOnlyList<string> patterns) =>
        [.. patterns.Select(pattern => PathGlob.Read(pattern).IfLeft(problem => throw new RunStoppedException(problem)))];
}
