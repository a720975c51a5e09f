using LanguageExt;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The writes that turn one table of a database store from the rows a run read into the rows its plan
/// leaves: rows the plan keeps stay on their <c>seq</c> (updated in place when their values changed),
/// rows it drops are deleted, new rows go after all others. When the plan reorders kept rows, or puts a
/// new row among them (which the planner does not do), the whole table is written again in order.
/// </summary>
internal sealed record RowChanges<TRow>(bool RewriteAll, IReadOnlyList<long> Deletes, IReadOnlyList<(TRow Row, long Seq)> Updates, IReadOnlyList<TRow> Inserts)
{
    public static RowChanges<TRow> Of<TKey>(Seq<TRow> before, Seq<TRow> after, Func<TRow, TKey> key, IReadOnlyDictionary<TKey, long> seqs)
        where TKey : notnull
    {
        var old = new Dictionary<TKey, TRow>();
        foreach (var row in before)
        {
            old.TryAdd(key(row), row);
        }
        var kept = new System.Collections.Generic.HashSet<TKey>();
        var inOrder = true;
        var sawNew = false;
        var last = long.MinValue;
        foreach (var row in after)
        {
            var k = key(row);
            if (old.ContainsKey(k) && seqs.TryGetValue(k, out var seq))
            {
                inOrder &= !sawNew && seq > last && kept.Add(k);
                last = seq;
            }
            else
            {
                sawNew = true;
            }
        }
        if (!inOrder)
        {
            return new RowChanges<TRow>(true, [], [], [.. after]);
        }
        var deletes = seqs.Where(p => !kept.Contains(p.Key)).Select(p => p.Value).Order().ToList();
        var updates = new List<(TRow, long)>();
        var inserts = new List<TRow>();
        foreach (var row in after)
        {
            var k = key(row);
            if (!kept.Contains(k))
            {
                inserts.Add(row);
            }
            else if (!EqualityComparer<TRow>.Default.Equals(old[k], row))
            {
                updates.Add((row, seqs[k]));
            }
        }
        return new RowChanges<TRow>(false, deletes, updates, inserts);
    }
}

/// <summary>Where each row a database store's snapshot read lives (its <c>seq</c>), so that a commit writes
/// only what changed.</summary>
internal sealed class RowSeqs
{
    public Dictionary<string, long> Batches { get; } = new(StringComparer.Ordinal);

    public Dictionary<Reconcile.Core.Stock.LineKey, long> Allocations { get; } = [];

    public Dictionary<Reconcile.Core.Stock.LineKey, long> Backorders { get; } = [];
}
