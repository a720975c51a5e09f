using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>The steps that <c>stock</c> and <c>allocate</c> share: gather, report bad input, print, apply.</summary>
internal static class StockRun
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary>Opens STATE. A run that may write takes the lock and recovers an interrupted commit
    /// first; a dry run does neither, because it writes nothing at all.</summary>
    public static (StateStore Store, IDisposable? Lock) Open(string stateDirectory, bool dryRun)
    {
        if (!Directory.Exists(stateDirectory))
        {
            throw RunStoppedException.BadInput($"{stateDirectory}: STATE is not a directory");
        }
        var store = new StateStore(stateDirectory);
        if (dryRun)
        {
            return (store, null);
        }
        var held = store.TryLock() ?? throw new RunStoppedException(ExitCodes.Locked, $"{stateDirectory}: another run holds the lock; nothing changed");
        store.Recover();
        return (store, held);
    }

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
        foreach (var error in sorted)
        {
            stderr.WriteLine(error.ToString());
        }
        stderr.WriteLine($"reconcile: {sorted.Count} bad {(sorted.Count == 1 ? "row" : "rows")} in the input; nothing was changed");
        return ExitCodes.BadInput;
    }

    public static void Print(TextWriter stdout, Seq<StockAction> plan, string format)
    {
        if (format == Json)
        {
            StockPlanFormatter.WriteJson(stdout, plan);
        }
        else
        {
            StockPlanFormatter.WriteText(stdout, plan);
        }
    }
}
