using LanguageExt;
using Reconcile.Core.Common;

namespace Reconcile.Core.Files;

/// <summary>The files job's refusals: a plan that would empty or gut DEST for a reason that is likely a mistake.</summary>
public static class FileGuards
{
    /// <summary>
    /// SOURCE does not exist. A SOURCE that vanished (an unmounted disk, a network share gone) must never
    /// look like a typo that is safe to ignore: with something in DEST, it is a refusal; into nothing, bad input.
    /// </summary>
    public static Problem MissingSource(string source, string dest, bool destHasEntries) =>
        destHasEntries
            ? Problem.Refused($"SOURCE {source} does not exist but DEST {dest} is not empty; is a disk unmounted? Nothing was changed.")
            : Problem.BadInput($"SOURCE {source} does not exist");

    /// <summary>
    /// Why a plan must not run, if it must not. An unmounted disk often leaves its mount point behind as
    /// an empty directory, or a tree of empty directories: a SOURCE without a single file while DEST has
    /// regular files (entries left alone do not count) is refused unless allowed. A plan that deletes more files
    /// than <paramref name="maxDelete"/> is refused; a move or local copy that overwrites an obsolete file
    /// loses that file as surely as a deletion, so it counts too. Null when the plan may run.
    /// </summary>
    public static Problem? Check(string source, string dest, bool allowEmptySource, int? maxDelete, FileTree sourceTree, FileTree destTree, Seq<FileAction> plan)
    {
        if (!allowEmptySource && sourceTree.Files.Count == 0 && destTree.Files.Values.Any(f => f.IsRegular))
        {
            return Problem.Refused(
                $"SOURCE {source} has no files but DEST {dest} has; is a disk unmounted? Use --allow-empty-source to empty DEST. Nothing was changed.");
        }
        var deletes = plan.Count(a => a is DeleteFile);
        var replaced = plan.Count(a => a is MoveFile { Replaces: true } or CopyLocal { Replaces: true });
        if (maxDelete is not { } max || deletes + replaced <= max)
        {
            return null;
        }
        var what = replaced == 0 ? $"deletes {deletes} files" : $"deletes {deletes} and replaces {replaced} files";
        return Problem.Refused($"the plan {what}, more than --max-delete {max}; nothing was changed");
    }

    /// <summary>
    /// DEST as the run may touch it: without the entries at the paths of SOURCE entries the run skips
    /// (devices, when the run may not make them: rsync keeps what DEST has there), and without whatever
    /// lies under a SOURCE directory that could not be read (its contents are unknown). The directories
    /// holding such entries are pinned, so the plan never removes them.
    /// </summary>
    public static FileTree LeaveAlone(FileTree dest, IReadOnlyList<string> sourceSkipped, IReadOnlySet<string> sourceUnreadable)
    {
        if (sourceSkipped.Count == 0 && sourceUnreadable.Count == 0)
        {
            return dest;
        }
        var skipped = sourceSkipped.ToHashSet(StringComparer.Ordinal);
        bool Untouchable(string path) =>
            skipped.Contains(path) || sourceUnreadable.Any(u => path == u || FileTrees.IsBelow(path, u));
        var files = dest.Files.Where(f => !Untouchable(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var dirs = dest.Directories.Where(d => !sourceUnreadable.Any(u => FileTrees.IsBelow(d, u))).ToHashSet(StringComparer.Ordinal);
        var pinned = dest.Pinned.Concat(sourceUnreadable).Concat(sourceSkipped.Select(FileTrees.Parent).Where(p => p.Length > 0))
            .ToHashSet(StringComparer.Ordinal);
        return new FileTree(files, dirs, pinned) { DirectoryMeta = dest.DirectoryMeta };
    }
}

/// <summary>A stretch of a plan, from <see cref="Start"/> to before <see cref="End"/>, whose actions may run side by side when <see cref="SideBySide"/>.</summary>
public sealed record ActionBatch(int Start, int End, bool SideBySide);

/// <summary>How a plan may be carried out: which actions may run side by side, and what still runs after a failure.</summary>
public static class FileExecutionRules
{
    /// <summary>
    /// The plan cut into batches, in order. Side by side may run: transfers from SOURCE of distinct
    /// paths (their directories the plan has already made and their earlier moves are done), metadata
    /// updates, or deletions of distinct files (which the plan puts after every transfer and move and
    /// before any directory is removed); two or more of one such kind in a row form a batch. Anything
    /// else runs alone, so nothing crosses a move, stash, mkdir or rmdir. With backups everything runs
    /// alone, in order (backups share folders).
    /// </summary>
    public static IReadOnlyList<ActionBatch> Batches(IReadOnlyList<FileAction> plan, bool backups)
    {
        var batches = new List<ActionBatch>();
        for (var start = 0; start < plan.Count;)
        {
            var kind = backups ? 0 : ParallelKind(plan[start]);
            var end = start + 1;
            while (kind != 0 && end < plan.Count && ParallelKind(plan[end]) == kind)
            {
                end++;
            }
            batches.Add(new ActionBatch(start, end, end - start >= 2));
            start = end;
        }
        return batches;
    }

    /// <summary>Whether an action still runs once an earlier one failed: deletions and directory removals do not, since what failed may be what made them safe.</summary>
    public static bool RunsAfterAFailure(FileAction action) => action is not (DeleteFile or RemoveDirectory);

    /// <summary>Actions of the same non-zero kind may run side by side.</summary>
    private static int ParallelKind(FileAction action) => action switch
    {
        CopyFile or UpdateFile or MakeLink or MakeNode => 1,
        TouchFile or TouchLink => 2,
        DeleteFile => 3,
        _ => 0,
    };
}
