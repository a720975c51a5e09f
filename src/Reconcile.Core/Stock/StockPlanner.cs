using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>
/// Decides what to do, purely. Plan order: create_batch (by ref), change_quantity/change_eta (by ref),
/// deallocate (in allocation order), remove_batch (by ref), then allocate/out_of_stock in placement
/// order (deallocated lines in allocation order, then backorders oldest first). Lines leave a batch
/// before it is removed, so applying the plan step by step never leaves a line on a missing batch.
/// </summary>
/// <remarks>
/// Linear in the number of batches and lines: one index of the state's batches by ref, arrays beside
/// it, and only the few batches that change, appear or go are sorted. The search for a batch with room
/// is built only for the skus of the lines that need one.
/// </remarks>
public static class StockPlanner
{
    public static Seq<StockAction> Plan(Seq<Batch> feed, StockState state, StockMode mode) =>
        Plan(StockLinks.Of(feed, state), state, mode);

    /// <summary>The plan for a validated input: the batches the validator matched are not looked up again.</summary>
    public static Seq<StockAction> Plan(StockInput input, StockMode mode) =>
        Plan(input.Links ?? StockLinks.Of(input.Feed, input.State), input.State, mode);

    private static Seq<StockAction> Plan(StockLinks links, StockState state, StockMode mode)
    {
        var old = links.Old;
        var now = links.Now;

        // The batches after the plan: the feed's, in its order, then (partial mode) the state's that
        // the feed does not name. Each old batch knows its place among them, or -1 when it is removed.
        var place = new int[old.Length];
        Array.Fill(place, -1);
        var created = new Dictionary<string, int>(StringComparer.Ordinal);
        var creates = new List<Batch>();
        var changes = new List<(Batch Old, Batch Now)>();
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
                var before = old[i];
                if (before.Qty != batch.Qty || before.Eta != batch.Eta)
                {
                    changes.Add((before, batch));
                }
            }
            else
            {
                if (!created.TryAdd(batch.Ref, f))
                {
                    throw DuplicateInFeed(batch.Ref);
                }
                creates.Add(batch);
            }
        }
        // After the feed's batches come (partial mode) the state's that the feed does not name.
        var kept = new List<Batch>();
        var removed = new List<string>();
        for (var i = 0; i < old.Length; i++)
        {
            if (place[i] >= 0)
            {
                continue;
            }
            if (mode == StockMode.Partial)
            {
                place[i] = now.Length + kept.Count;
                kept.Add(old[i]);
            }
            else
            {
                removed.Add(old[i].Ref);
            }
        }

        var actions = new List<StockAction>(creates.Count + (2 * changes.Count) + removed.Count);
        creates.Sort((x, y) => string.CompareOrdinal(x.Ref, y.Ref));
        foreach (var b in creates)
        {
            actions.Add(new CreateBatch(b.Ref, b.Sku, b.Qty, b.Eta));
        }
        changes.Sort((x, y) => string.CompareOrdinal(x.Now.Ref, y.Now.Ref));
        foreach (var (before, after) in changes)
        {
            if (before.Qty != after.Qty)
            {
                actions.Add(new ChangeQuantity(after.Ref, before.Qty, after.Qty));
            }
            if (before.Eta != after.Eta)
            {
                actions.Add(new ChangeEta(after.Ref, before.Eta, after.Eta));
            }
        }

        // Each surviving batch keeps its lines oldest first while they fit (a line that fits is kept even
        // after a bigger one did not), so a line that fits is never moved.
        var room = new long[now.Length + kept.Count];
        for (var k = 0; k < now.Length; k++)
        {
            room[k] = now[k].Qty;
        }
        for (var k = 0; k < kept.Count; k++)
        {
            room[now.Length + k] = kept[k].Qty;
        }
        // Where each allocation's batch stands among the batches after the plan, or -1 when it is gone.
        int PlaceOf(int a) =>
            links.OldOfAllocation[a] is var i and >= 0 ? place[i]
            : created.TryGetValue(links.Allocations[a].BatchRef, out var f) ? f
            : -1;
        var moved = new List<int>();
        for (var a = 0; a < links.Allocations.Length; a++)
        {
            var allocation = links.Allocations[a];
            var k = PlaceOf(a);
            if (k >= 0 && allocation.Qty <= room[k])
            {
                room[k] -= allocation.Qty;
            }
            else
            {
                moved.Add(a);
                actions.Add(new Deallocate(allocation.OrderId, allocation.Sku, allocation.Qty, allocation.BatchRef));
            }
        }
        removed.Sort(StringComparer.Ordinal);
        foreach (var reference in removed)
        {
            actions.Add(new RemoveBatch(reference));
        }

        var wanted = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var a in moved)
        {
            wanted.Add(links.Allocations[a].Sku);
        }
        foreach (var line in state.Backorders)
        {
            wanted.Add(line.Sku);
        }
        var availability = BatchAvailability.For(now, kept, room, wanted);
        foreach (var a in moved)
        {
            var line = links.Allocations[a];
            var from = PlaceOf(a) >= 0 ? line.BatchRef : null;
            var to = availability.Take(line.Sku, line.Qty, from);
            actions.Add(to is null
                ? new OutOfStock(line.OrderId, line.Sku, line.Qty)
                : new Allocate(line.OrderId, line.Sku, line.Qty, to));
        }
        // A backorder that still fits nowhere stays where it is without a word: repeating its
        // out_of_stock on every run would make a settled state look like pending work.
        foreach (var line in state.Backorders)
        {
            var to = availability.Take(line.Sku, line.Qty, null);
            if (to is not null)
            {
                actions.Add(new Allocate(line.OrderId, line.Sku, line.Qty, to));
            }
        }
        return actions.ToSeq();
    }

    private static ArgumentException DuplicateInFeed(string reference) =>
        new($"batch '{reference}' appears twice in the feed");

    /// <summary>
    /// Places new order lines, in file order, by the same rule. A line that is already allocated or
    /// already a backorder is left as it is, so submitting the same orders twice changes nothing.
    /// </summary>
    public static Seq<StockAction> PlanAllocation(Seq<OrderLine> orders, StockState state)
    {
        var batches = ToArray(state.Batches);
        var index = new Dictionary<string, int>(batches.Length, StringComparer.Ordinal);
        var room = new long[batches.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            index.Add(batches[i].Ref, i);
            room[i] = batches[i].Qty;
        }
        var known = new System.Collections.Generic.HashSet<LineKey>();
        foreach (var allocation in state.Allocations)
        {
            known.Add(allocation.Key);
            if (index.TryGetValue(allocation.BatchRef, out var i))
            {
                // An over-allocated batch has no room; it never goes below -1, so no sum of 64-bit
                // quantities can overflow.
                room[i] = room[i] >= allocation.Qty ? room[i] - allocation.Qty : -1;
            }
        }
        foreach (var backorder in state.Backorders)
        {
            known.Add(backorder.Key);
        }
        var wanted = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var line in orders)
        {
            wanted.Add(line.Sku);
        }
        var availability = BatchAvailability.For(batches, [], room, wanted);
        var actions = new List<StockAction>();
        foreach (var line in orders)
        {
            if (!known.Add(line.Key))
            {
                continue;
            }
            var to = availability.Take(line.Sku, line.Qty, null);
            actions.Add(to is null
                ? new OutOfStock(line.OrderId, line.Sku, line.Qty)
                : new Allocate(line.OrderId, line.Sku, line.Qty, to));
        }
        return actions.ToSeq();
    }

    private static T[] ToArray<T>(Seq<T> values)
    {
        var array = new T[values.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = values[i];
        }
        return array;
    }
}
