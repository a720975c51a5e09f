namespace Reconcile.Core.Stock;

/// <summary>
/// What is left to allocate in each batch, answering "the first batch of this sku, by the book's rule,
/// that can hold this quantity" in logarithmic time. A plain scan would be quadratic when one sku has
/// many batches and many lines; here each sku's batches sit in rule order in a max segment tree.
/// Mutable, but only ever local to one planner call.
/// </summary>
internal sealed class BatchAvailability
{
    private readonly Dictionary<string, SkuBatches> bySku = new(StringComparer.Ordinal);

    private BatchAvailability()
    {
    }

    /// <summary>
    /// The batches of the <paramref name="wanted"/> skus among <paramref name="first"/> then
    /// <paramref name="then"/>, each with the room at its index (counting on from the first list into the
    /// second) in <paramref name="room"/>. Batches of other skus are never asked for, so they are not
    /// indexed at all.
    /// </summary>
    public static BatchAvailability For(Batch[] first, List<Batch> then, long[] room, System.Collections.Generic.HashSet<string> wanted)
    {
        var result = new BatchAvailability();
        if (wanted.Count == 0)
        {
            return result;
        }
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        void Consider(Batch batch, int i)
        {
            if (!wanted.Contains(batch.Sku))
            {
                return;
            }
            if (!groups.TryGetValue(batch.Sku, out var members))
            {
                members = [];
                groups.Add(batch.Sku, members);
            }
            members.Add(i);
        }
        for (var i = 0; i < first.Length; i++)
        {
            Consider(first[i], i);
        }
        for (var i = 0; i < then.Count; i++)
        {
            Consider(then[i], first.Length + i);
        }
        foreach (var (sku, members) in groups)
        {
            var ordered = new Batch[members.Count];
            var available = new long[members.Count];
            for (var j = 0; j < ordered.Length; j++)
            {
                var i = members[j];
                ordered[j] = i < first.Length ? first[i] : then[i - first.Length];
                available[j] = room[i];
            }
            System.Array.Sort(ordered, available, AllocationRule.Instance);
            result.bySku.Add(sku, new SkuBatches(ordered, new MaxTree(available)));
        }
        return result;
    }

    /// <summary>Takes <paramref name="qty"/> from the first batch that has room, never from
    /// <paramref name="excludedRef"/>; returns that batch's reference, or null when none has room.</summary>
    public string? Take(string sku, long qty, string? excludedRef)
    {
        if (!bySku.TryGetValue(sku, out var batches))
        {
            return null;
        }
        var index = batches.Tree.FindFirst(qty, 0);
        if (index >= 0 && excludedRef is not null && string.Equals(batches.Batches[index].Ref, excludedRef, StringComparison.Ordinal))
        {
            index = batches.Tree.FindFirst(qty, index + 1);
        }
        if (index < 0)
        {
            return null;
        }
        batches.Tree.Add(index, -qty);
        return batches.Batches[index].Ref;
    }

    private sealed record SkuBatches(Batch[] Batches, MaxTree Tree);

    /// <summary>A segment tree of maxima over the batches' available quantities, in rule order.</summary>
    private sealed class MaxTree
    {
        private readonly long[] nodes;
        private readonly int size;

        public MaxTree(long[] values)
        {
            size = 1;
            while (size < values.Length)
            {
                size *= 2;
            }
            nodes = new long[2 * size];
            Array.Fill(nodes, long.MinValue);
            values.CopyTo(nodes, size);
            for (var i = size - 1; i >= 1; i--)
            {
                nodes[i] = Math.Max(nodes[2 * i], nodes[(2 * i) + 1]);
            }
        }

        public void Add(int index, long delta)
        {
            var i = index + size;
            nodes[i] += delta;
            for (i /= 2; i >= 1; i /= 2)
            {
                nodes[i] = Math.Max(nodes[2 * i], nodes[(2 * i) + 1]);
            }
        }

        /// <summary>The first index at or after <paramref name="from"/> whose value is at least
        /// <paramref name="min"/>, or -1.</summary>
        public int FindFirst(long min, int from) => Find(1, 0, size, min, from);

        private int Find(int node, int low, int high, long min, int from)
        {
            if (high <= from || nodes[node] < min)
            {
                return -1;
            }
            if (high - low == 1)
            {
                return low;
            }
            var middle = (low + high) / 2;
            var left = Find(2 * node, low, middle, min, from);
            return left >= 0 ? left : Find((2 * node) + 1, middle, high, min, from);
        }
    }
}

/// <summary>The book's preference among batches that can hold a line: in stock (no eta) first, then
/// the earliest eta, then the reference in ordinal order, so that the choice is always the same.</summary>
public sealed class AllocationRule : IComparer<Batch>
{
    public static AllocationRule Instance { get; } = new();

    public int Compare(Batch? x, Batch? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var byEta = (x.Eta, y.Eta) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            var (a, b) => a.Value.CompareTo(b.Value),
        };
        return byEta != 0 ? byEta : string.CompareOrdinal(x.Ref, y.Ref);
    }
}
