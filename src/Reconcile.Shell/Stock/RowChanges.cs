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

    /// <summary>
    /// The writes from <paramref name="before"/>, the rows as read, each at the <c>seq</c> of the same
    /// position in <paramref name="seqs"/> (ascending, as read), to <paramref name="after"/>.
    /// </summary>
    public static RowChanges<TRow> Of<TKey>(Seq<TRow> before, Seq<TRow> after, Func<TRow, TKey> key, IReadOnlyList<long> seqs)
        where TKey : notnull
    {
        var old = before.ToArray();
        if (old.Length != seqs.Count)
        {
            throw new InvalidOperationException($"{old.Length} rows read but {seqs.Count} seqs");
        }
        // Where each key was read (its first row).
        var positions = new Dictionary<TKey, int>(old.Length);
        for (var i = 0; i < old.Length; i++)
        {
            positions.TryAdd(key(old[i]), i);
        }
        var rows = after.ToArray();
        // The position read of each row of the plan's table that keeps its seq, or -1 for a new row.
        var keptFrom = new int[rows.Length];
        var kept = new bool[old.Length];
        var last = long.MinValue;
        for (var i = 0; i < rows.Length; i++)
        {
            keptFrom[i] = -1;
            // A row that comes before one it used to follow (an order line that moved to the end) is
            // written again at its new place, like a new row; its old one is deleted.
            if (positions.TryGetValue(key(rows[i]), out var position) && seqs[position] > last)
            {
                if (kept[position])
                {
                    return Rewrite(rows);
                }
                kept[position] = true;
                keptFrom[i] = position;
                last = seqs[position];
            }
        }
        var inserts = new List<(TRow, long)>();
        var updates = new List<(TRow, long)>();
        var previous = (long?)null;
        for (var i = 0; i < rows.Length;)
        {
            if (keptFrom[i] is var position and >= 0)
            {
                var seq = seqs[position];
                if (!EqualityComparer<TRow>.Default.Equals(old[position], rows[i]))
                {
                    updates.Add((rows[i], seq));
                }
                previous = seq;
                i++;
                continue;
            }
            var end = i;
            while (end < rows.Length && keptFrom[end] < 0)
            {
                end++;
            }
            var count = end - i;
            var next = end < rows.Length ? seqs[keptFrom[end]] : (long?)null;
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
        var deletes = new List<long>();
        for (var i = 0; i < old.Length; i++)
        {
            if (!kept[i])
            {
                deletes.Add(seqs[i]);
            }
        }
        return new RowChanges<TRow>(false, deletes, updates, inserts);
    }

    private static RowChanges<TRow> Rewrite(TRow[] rows) =>
        new(true, [], [], [.. rows.Select((row, i) => (row, Stride * (i + 1)))]);
}

/// <summary>Where each row a database store's snapshot read lives: its <c>seq</c>, in the order read, so
/// that a commit writes only what changed.</summary>
internal sealed class RowSeqs
{
    public List<long> Batches { get; } = [];

    public List<long> Allocations { get; } = [];

    public List<long> Backorders { get; } = [];
}
