using LanguageExt;
using Reconcile.Core.Common;

namespace Reconcile.Core.Stock;

/// <summary>Bad rows of the inputs as one problem: each row on its own line, by file then line.</summary>
public static class BadRows
{
    /// <summary>A feed of a million bad rows must not bury the terminal or the cron mail: the first ones
    /// say what is wrong, the count says how much.</summary>
    public const int MaxShown = 100;

    /// <summary>The errors by file (in <paramref name="fileOrder"/>, then other files by name), then by line.</summary>
    public static Seq<StockError> Sorted(IEnumerable<StockError> errors, IEnumerable<string> fileOrder)
    {
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in fileOrder)
        {
            rank.TryAdd(file, rank.Count);
        }
        return errors
            .OrderBy(e => rank.TryGetValue(e.File, out var r) ? r : int.MaxValue)
            .ThenBy(e => e.File, StringComparer.Ordinal)
            .ThenBy(e => e.Line)
            .ToArray()
            .ToSeq();
    }

    /// <summary>The problem that stops a run with these bad rows: nothing was changed.</summary>
    public static Problem Problem(IEnumerable<StockError> errors, IEnumerable<string> fileOrder)
    {
        var sorted = Sorted(errors, fileOrder);
        var details = sorted.Take(MaxShown).Select(e => e.ToString()).ToList();
        if (sorted.Count > MaxShown)
        {
            details.Add($"… and {sorted.Count - MaxShown} more errors");
        }
        return Common.Problem.BadInput($"{sorted.Count} bad {(sorted.Count == 1 ? "row" : "rows")} in the input; nothing was changed")
            with
        { Details = details.ToSeq() };
    }
}
