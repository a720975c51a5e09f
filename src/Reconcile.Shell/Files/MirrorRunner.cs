using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// The outcome of executing a plan: the actions done, how many failed and how many were skipped (not
/// tried, because an earlier action failed), and one message per action that failed or was skipped.
/// </summary>
public sealed record FileExecution(Seq<FileAction> Applied, IReadOnlyList<string> Failures, int Failed = 0, int Skipped = 0, int NotStarted = 0)
{
    /// <summary>Whether a signal stopped the run before every action was tried.</summary>
    public bool Interrupted => NotStarted > 0;
}

/// <summary>
/// Carries out a files plan on any pair of endpoints, the same way for all: in plan order, the batches
/// that <see cref="FileExecutionRules.Batches"/> allows side by side on threads of their own, every file
/// deleted or overwritten handed to <paramref name="keep"/> (which moves it into the backups) when there are backups, each applied
/// action reported as it is done (for progress and itemized output). When an action fails, the rest
/// still run, except what <see cref="FileExecutionRules.RunsAfterAFailure"/> forbids: deletions. The
/// process settings of a files run are here too: the threads per batch, the heap budget, the warm-up.
/// </summary>
public sealed class MirrorRunner(IMirrorEndpoint source, IMirrorEndpoint dest, Action<string>? keep = null)
{
    /// <summary>
    /// Copies keep the cores busy (more threads than cores only contend in the kernel: a first sync of
    /// 20,000 files took 4.8 s on four threads, 2.9 s on two). A deletion mostly waits while the file
    /// system frees the file's blocks (a millisecond or more here): more workers overlap those waits.
    /// </summary>
    private int ThreadsFor(FileAction first) =>
        dest.Traits.ActionsInFlight > 0 ? dest.Traits.ActionsInFlight
        : first is DeleteFile ? Workers.ForWaits
        : Environment.ProcessorCount;

    /// <summary>
    /// A files run builds its two trees (about 100 MB of objects for 100,000 files) and keeps them until
    /// it ends, so a collection during the gather frees almost nothing and copies everything it finds.
    /// The big dictionaries also grow through the large-object heap, whose small starting budget sets off
    /// full collections: 3 of them, 70 to 90 ms of pauses, on a 100,000-file run with nothing to do.
    /// </summary>
    public const long HeapBudgetBytes = 160L << 20;

    /// <summary>
    /// Asks the runtime for no collections until the run has allocated <see cref="HeapBudgetBytes"/>
    /// (small and large objects each); past that, collections resume as usual, so a bigger tree pays for
    /// them but memory stays bounded. Called once, first thing in the process, for the commands that
    /// gather file trees.
    /// </summary>
    public static void ReserveHeap()
    {
        try
        {
            // Starts with one collection, while the heap holds next to nothing.
            GC.TryStartNoGCRegion(HeapBudgetBytes);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // A runtime that cannot set so much aside runs with its defaults.
        }
    }

    /// <summary>
    /// Ends what <see cref="ReserveHeap"/> asked for, so that collections run as usual from here on. For a
    /// run with a remote root, once its trees are gathered: every packet SSH sends or receives is a new
    /// array, garbage at once, and a young generation kept at 160 MB made the kernel hand out and zero
    /// fresh pages for all of them, where a usual one reuses the same few megabytes.
    /// </summary>
    public static void ReleaseHeap()
    {
        if (System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.NoGCRegion)
        {
            return;
        }
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // a collection ended the region already
        }
    }

    /// <summary>
    /// Plans two tiny made-up trees, so that the code the planner runs on is compiled before the real
    /// trees are gathered (collections of value types, such as hashes by content, have no precompiled
    /// code in the runtime: each one used is compiled at its first use). Run on a thread of its own while
    /// the command line is parsed. The trees hold a kept file, one whose time changed, one whose content
    /// changed, a renamed one (found by its hash), a new one and an extra one; planned with and without
    /// --checksum.
    /// </summary>
    public static void WarmUp()
    {
        var time = DateTime.UnixEpoch;
        var hash = new ContentHash(1, 2, 3, 4);
        var source = Tree(
            ("a/kept", new FileEntry(1, time, 420)),
            ("a/touched", new FileEntry(2, time.AddSeconds(1), 420)),
            ("a/changed", new FileEntry(3, time, 420)),
            ("b/renamed", new FileEntry(4, time, 420, hash)),
            ("b/new", new FileEntry(5, time, 420)));
        var dest = Tree(
            ("a/kept", new FileEntry(1, time, 420)),
            ("a/touched", new FileEntry(2, time, 420)),
            ("a/changed", new FileEntry(6, time, 420)),
            ("old", new FileEntry(4, time, 420, hash)),
            ("c/extra", new FileEntry(7, time, 420)));
        foreach (var checksum in new[] { false, true })
        {
            var options = new FilePlanOptions(Checksum: checksum);
            _ = FilePlanner.PathsToHash(source, dest, options);
            _ = FilePlanner.Plan(source, dest, options).Count;
        }
    }

    /// <summary>A tree of these files; their directories are implied, as the planner reads them.</summary>
    private static FileTree Tree(params (string Path, FileEntry Entry)[] files) =>
        new(files.ToDictionary(f => f.Path, f => f.Entry, StringComparer.Ordinal), FileTree.Empty.Directories);

    public FileExecution Execute(Seq<FileAction> plan, Action<FileAction>? applied = null)
    {
        var actions = plan.ToArray();
        var done = new List<FileAction>();
        var failures = new List<string>();
        var skipped = 0;
        var notStarted = 0;
        foreach (var batch in InOrderRuns(actions, FileExecutionRules.Batches(actions, keep is not null)))
        {
            if (Interruption.Requested)
            {
                notStarted += batch.End - batch.Start;
                continue;
            }
            // A batch holds actions of one kind, so they all run after a failure, or none does.
            if (failures.Count > 0 && !FileExecutionRules.RunsAfterAFailure(actions[batch.Start]))
            {
                for (var i = batch.Start; i < batch.End; i++)
                {
                    failures.Add($"{Describe(actions[i])}: skipped because an earlier action failed");
                }
                skipped += batch.End - batch.Start;
                continue;
            }
            var errors = new string?[batch.End - batch.Start];
            var inOrder = !batch.SideBySide && batch.End - batch.Start > 1;
            if (inOrder)
            {
                // One after another, in plan order, each on its way before the one before it is answered.
                for (var i = batch.Start; i < batch.End; i++)
                {
                    errors[i - batch.Start] = TryApply(actions[i], settle: false);
                }
            }
            else if (batch.SideBySide)
            {
                Workers.For(batch.Start, batch.End, ThreadsFor(actions[batch.Start]), i => errors[i - batch.Start] = TryApply(actions[i], settle: false));
            }
            if ((inOrder || batch.SideBySide) && dest.Settle() is { Count: > 0 } failedLater)
            {
                // Each action of the batch looked up once, not once per failure (a whole batch may fail).
                var positions = new Dictionary<FileAction, int>(ReferenceEqualityComparer.Instance);
                for (var i = batch.Start; i < batch.End; i++)
                {
                    positions.TryAdd(actions[i], i - batch.Start);
                }
                foreach (var (action, problem) in failedLater)
                {
                    if (positions.TryGetValue(action, out var at))
                    {
                        errors[at] ??= $"{Describe(action)}: {TerminalText.Escape(problem)}";
                    }
                }
            }
            // Reported in plan order, as if they had run one by one. A failure side by side is tried once
            // more on its own: it may only have met its neighbours' temporary files (a nearly full disk).
            for (var i = batch.Start; i < batch.End; i++)
            {
                var error = errors[i - batch.Start] is NotStarted ? NotStarted
                    : inOrder ? errors[i - batch.Start]
                    : !batch.SideBySide || errors[i - batch.Start] is not null ? TryApply(actions[i], settle: true)
                    : null;
                if (error is NotStarted)
                {
                    notStarted++;
                }
                else if (error is null)
                {
                    done.Add(actions[i]);
                    applied?.Invoke(actions[i]);
                }
                else
                {
                    failures.Add(error);
                }
            }
        }
        (dest as LocalEndpoint)?.CloseOpenedDirectories();
        return new FileExecution(done.ToSeq(), failures, failures.Count - skipped, skipped, notStarted);
    }

    /// <summary>
    /// The batches, with each stretch of moves, stashes and directory times that run alone (two or more
    /// in a row, no backups) made one batch that runs in order: an endpoint across a network sends each
    /// before the one before it is answered (the host carries them out in the order sent, so a directory's
    /// bits still come after those of the directories inside it), and the runner asks how they went at
    /// the end of the stretch. One that fails does not stop the ones after it, as it does not when they
    /// run alone. Returned as batches that do not run side by side.
    /// </summary>
    private IEnumerable<ActionBatch> InOrderRuns(FileAction[] actions, IReadOnlyList<ActionBatch> batches)
    {
        static bool SentInOrder(FileAction action) => action is MoveFile or StashFile or TouchDirectory;
        for (var b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            if (keep is not null || batch.SideBySide || !SentInOrder(actions[batch.Start]))
            {
                yield return batch;
                continue;
            }
            var end = batch.End;
            while (b + 1 < batches.Count && !batches[b + 1].SideBySide && SentInOrder(actions[batches[b + 1].Start]))
            {
                end = batches[++b].End;
            }
            yield return batch with { End = end };
        }
    }

    /// <summary>What <see cref="TryApply"/> returns for an action it did not start, a signal having asked to stop.</summary>
    private const string NotStarted = "\0not started";

    /// <param name="settle">Whether to wait for the action to be done (see <see cref="IMirrorEndpoint.Settle"/>), or leave that to the end of its batch.</param>
    private string? TryApply(FileAction action, bool settle)
    {
        if (Interruption.Requested)
        {
            return NotStarted;
        }
        try
        {
            KillPoint.Step();
            dest.Apply(action, source, keep);
            if (settle && dest.Settle() is [var (_, problem), ..])
            {
                return $"{Describe(action)}: {TerminalText.Escape(problem)}";
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Describe(action)}: {TerminalText.Escape(e.Message)}";
        }
    }

    private static string Describe(FileAction action) => FilePlanWriter.Line(action);
}
