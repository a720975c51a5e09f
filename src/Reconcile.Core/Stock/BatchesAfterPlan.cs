namespace Reconcile.Core.Stock;

/// <summary>
/// The batches after a stock plan, indexed for the planner: the feed's, in its order, then (partial
/// mode) the state's that the feed does not name, with the room left in each as lines are kept. Beside
/// them, what the feed does to the state's batches: the batches it creates, the ones it changes, the
/// ones it removes. Mutable, but only ever local to one planner call.
/// </summary>
internal sealed class BatchesAfterPlan
{
    /// <summary>The place of each state batch among the batches after the plan, or -1 when it is removed.</summary>
    private readonly int[] placeOfOld;

    /// <summary>The place of each created batch, by reference.</summary>
    private readonly Dictionary<string, int> created;

    private BatchesAfterPlan(Batch[] feed, int[] placeOfOld, Dictionary<string, int> created)
    {
        Feed = feed;
        this.placeOfOld = placeOfOld;
        this.created = created;
    }

    /// <summary>The feed's batches, the first of the batches after the plan.</summary>
    public Batch[] Feed { get; }

    /// <summary>Partial mode: the state's batches the feed does not name, after the feed's.</summary>
    public List<Batch> Kept { get; } = [];

    public List<Batch> Creates { get; } = [];

    public List<(Batch Old, Batch Now)> Changes { get; } = [];

    public List<string> Removed { get; } = [];

    /// <summary>The room left in each batch after the plan (feed's, then kept), by place.</summary>
    public long[] Room { get; private set; } = [];

    public static BatchesAfterPlan Of(StockLinks links, StockMode mode)
    {
        var old = links.Old;
        var now = links.Now;
        var place = new int[old.Length];
        Array.Fill(place, -1);
        var batches = new BatchesAfterPlan(now, place, new Dictionary<string, int>(StringComparer.Ordinal));
        for (var f = 0; f < now.Length; f++)
        {
            var batch = now[f];
            var i = links.OldOfNow[f];
            if (i >= 0)
            {
                if (place[i] >= 0)
                {
                    throw DuplicateInFeed(batch.Ref);
                }
                place[i] = f;
                if (old[i].Qty != batch.Qty || old[i].Eta != batch.Eta)
                {
                    batches.Changes.Add((old[i], batch));
                }
            }
            else
            {
                if (!batches.created.TryAdd(batch.Ref, f))
                {
                    throw DuplicateInFeed(batch.Ref);
                }
                batches.Creates.Add(batch);
            }
        }
        for (var i = 0; i < old.Length; i++)
        {
            if (place[i] >= 0)
            {
                continue;
            }
            if (mode == StockMode.Partial)
            {
                place[i] = now.Length + batches.Kept.Count;
                batches.Kept.Add(old[i]);
            }
            else
            {
                batches.Removed.Add(old[i].Ref);
            }
        }
        var room = new long[now.Length + batches.Kept.Count];
        for (var k = 0; k < now.Length; k++)
        {
            room[k] = now[k].Qty;
        }
        for (var k = 0; k < batches.Kept.Count; k++)
        {
            room[now.Length + k] = batches.Kept[k].Qty;
        }
        batches.Room = room;
        return batches;
    }

    /// <summary>Whether allocation <paramref name="a"/>'s batch is still there after the plan.</summary>
    public bool Survives(StockLinks links, int a) => PlaceOf(links, a) >= 0;

    /// <summary>Keeps allocation <paramref name="a"/> on its batch if its batch survives and has room for
    /// it, taking that room; else the line must leave.</summary>
    public bool TryKeep(StockLinks links, int a)
    {
        var k = PlaceOf(links, a);
        var qty = links.Allocations[a].Qty;
        if (k < 0 || qty > Room[k])
        {
            return false;
        }
        Room[k] -= qty;
        return true;
    }

    /// <summary>Where allocation <paramref name="a"/>'s batch stands among the batches after the plan, or -1.</summary>
    private int PlaceOf(StockLinks links, int a) =>
        links.OldOfAllocation[a] is var i and >= 0 ? placeOfOld[i]
        : created.TryGetValue(links.Allocations[a].BatchRef, out var f) ? f
        : -1;

    private static ArgumentException DuplicateInFeed(string reference) =>
        new($"batch '{reference}' appears twice in the feed");
}
