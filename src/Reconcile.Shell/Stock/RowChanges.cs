using LanguageExt;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The writes that turn one table of a database store from the rows a run read into the rows its plan
/// leaves: rows the plan keeps stay on their <c>seq</c> (updated in place when their values changed),
/// rows it drops are deleted, new rows get a <c>seq</c> between their neighbours' (rows are written
/// <see cref="Stride"/> apart, so there is room), and a row the plan moved is deleted and written at its
/// new place. Only when a gap is full, or a key repeats, is the whole table written again, in order.
/// </summary>
internal sealed record RowChanges<TRow>(bool RewriteAll, IReadOnlyList<long> Deletes, IReadOnlyList<(TRow Row, long Seq)> Updates, IReadOnlyList<(TRow Row, long Seq)> Inserts)
{
    /// <summary>How far apart rows are written, so that later rows fit between them.</summary>
    public const long Stride = 1L << 16;

    public static RowChanges<TRow> Of<TKey>(Seq<TRow> before, Seq<TRow> after, Func<TRow, TKey> key, IReadOnlyDictionary<TKey, long> seqs)
        where TKey : notnull
    {
        var old = new Dictionary<TKey, TRow>();
        foreach (var row in before)
        {
            old.TryAdd(key(row), row);
        }
        var rows = after.ToArray();
        // The seq each row of the plan's table keeps, or null for a new row.
        var keptSeqs = new long?[rows.Length];
        var kept = new System.Collections.Generic.HashSet<TKey>();
        var last = long.MinValue;
        for (var i = 0; i < rows.Length; i++)
        {
            var k = key(rows[i]);
            // A row that comes before one it used to follow (an order line that moved to the end) is
            // written again at its new place, like a new row; its old one is deleted.
            if (old.ContainsKey(k) && seqs.TryGetValue(k, out var seq) && seq > last)
            {
                if (!kept.Add(k))
                {
                    return Rewrite(rows);
                }
                keptSeqs[i] = seq;
                last = seq;
            }
        }
        var inserts = new List<(TRow, long)>();
        var updates = new List<(TRow, long)>();
        var previous = (long?)null;
        for (var i = 0; i < rows.Length;)
        {
            if (keptSeqs[i] is { } seq)
            {
                if (!EqualityComparer<TRow>.Default.Equals(old[key(rows[i])], rows[i]))
                {
                    updates.Add((rows[i], seq));
                }
                previous = seq;
                i++;
                continue;
            }
            var end = i;
            while (end < rows.Length && keptSeqs[end] is null)
            {
                end++;
            }
            var count = end - i;
            var next = end < rows.Length ? keptSeqs[end] : null;
            var low = previous ?? (next is { } n ? n - (Stride * (count + 1)) : 0);
            var high = next ?? (low + (Stride * (count + 1)));
            if (high - low <= count)
            {
                return Rewrite(rows);
            }
            for (var j = 0; j < count; j++)
            {
                inserts.Add((rows[i + j], low + ((high - low) / (count + 1) * (j + 1))));
            }
            i = end;
        }
        var deletes = seqs.Where(p => !kept.Contains(p.Key)).Select(p => p.Value).Order().ToList();
        return new RowChanges<TRow>(false, deletes, updates, inserts);
    }

    private static RowChanges<TRow> Rewrite(TRow[] rows) =>
        new(true, [], [], [.. rows.Select((row, i) => (row, Stride * (i + 1)))]);
}

/// <summary>Where each row a database store's snapshot read lives (its <c>seq</c>), so that a commit writes
/// only what changed.</summary>
internal sealed class RowSeqs
{
    public Dictionary<string, long> Batches { get; } = new(StringComparer.Ordinal);

    public Dictionary<Reconcile.Core.Stock.LineKey, long> Allocations { get; } = [];

    public Dictionary<Reconcile.Core.Stock.LineKey, long> Backorders { get; } = [];
}
