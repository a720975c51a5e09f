using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>The steps that <c>stock</c> and <c>allocate</c> share: gather, report bad input, print, apply.</summary>
internal static class StockRun
{
    public const int MaxErrorsShown = 100;

    /// <summary>Opens STATE. A run that may write first finishes or undoes a commit that a crash
    /// interrupted (under the lock); a dry run never writes, so it only honours the commit marker.</summary>
    public static StateStore Open(string stateDirectory, bool dryRun)
    {
        if (!Directory.Exists(stateDirectory))
        {
            throw RunStoppedException.BadInput($"{stateDirectory}: STATE is not a directory");
        }
        var store = new StateStore(stateDirectory);
        if (!dryRun && store.HasPending)
        {
            using var held = Lock(store);
            store.Recover();
        }
        return store;
    }

    /// <summary>
    /// Applies a plan under the lock. The lock is taken only now, so that a run that stops on bad input
    /// or a guard leaves STATE exactly as it was; the price is checking, under the lock, that no other run
    /// committed since the state files were read (else the plan would be made from a stale state).
    /// <paramref name="prepare"/> works out what to write, writing nothing, on another core while the
    /// state files are read again for that check; the commit it returns runs only once the check passed.
    /// </summary>
    public static void Apply(StateStore store, LoadedState loaded, Func<Action> prepare)
    {
        using var held = Lock(store);
        KillPoint.Step();
        var preparing = OwnThread<Action>.Start(prepare);
        if (store.HasPending || !store.Unchanged(loaded.Files))
        {
            throw RunStoppedException.Locked($"{store.Directory}: another run changed STATE while this one was planning; nothing was changed, run again");
        }
        preparing.Join()();
    }

    private static RunLock Lock(StateStore store) => RunLock.Acquire(store.LockPath, store.Directory);

    /// <summary>Errors of whole files (missing, missing columns) make row checks meaningless, so they are
    /// reported alone; otherwise every bad row of every file is reported, by file then line.</summary>
    public static Option<Seq<StockError>> FileErrors(params IEnumerable<StockError>[] files)
    {
        var all = files.SelectMany(f => f).ToArray();
        return all.Length == 0 ? Option<Seq<StockError>>.None : all.ToSeq();
    }

    public static int BadInput(TextWriter stderr, IEnumerable<StockError> errors, IReadOnlyList<string> fileOrder)
    {
        var rank = fileOrder.Select((name, i) => (name, i)).GroupBy(x => x.name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var sorted = errors
            .OrderBy(e => rank.TryGetValue(e.File, out var r) ? r : int.MaxValue)
            .ThenBy(e => e.Line)
            .ToList();
        // A feed of a million bad rows must not bury the terminal or the cron mail: the first ones say
        // what is wrong, the count says how much.
        foreach (var error in sorted.Take(MaxErrorsShown))
        {
            stderr.WriteLine(error.ToString());
        }
        if (sorted.Count > MaxErrorsShown)
        {
            stderr.WriteLine($"… and {sorted.Count - MaxErrorsShown} more errors");
        }
        stderr.WriteLine($"reconcile: {sorted.Count} bad {(sorted.Count == 1 ? "row" : "rows")} in the input; nothing was changed");
        return ExitCodes.BadInput;
    }

    public static void Print(TextWriter stdout, Seq<StockAction> plan, OutputFormat format)
    {
        if (stdout == TextWriter.Null)
        {
            return; // --quiet: nothing would be seen, so nothing is formatted.
        }
        if (format == OutputFormat.Json)
        {
            StockPlanFormatter.WriteJson(stdout, plan);
        }
        else
        {
            StockPlanFormatter.WriteText(stdout, plan);
        }
    }
}
