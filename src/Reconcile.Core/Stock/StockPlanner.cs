using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>
/// Decides what to do, purely. Plan order: create_batch (by ref), change_quantity/change_eta (by ref),
/// deallocate (in allocation order), remove_batch (by ref), then allocate/out_of_stock in placement
/// order (deallocated lines in allocation order, then backorders oldest first). Lines leave a batch
/// before it is removed, so applying the plan step by step never leaves a line on a missing batch.
/// </summary>
/// <remarks>
/// Linear in the number of batches and lines: <see cref="BatchesAfterPlan"/> holds the batches after the
/// plan as arrays beside one index of the state's, and only the few batches that change, appear or go
/// are sorted. <see cref="BatchAvailability"/> answers "the first batch with room", built only for the
/// skus of the lines that need one.
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
        var batches = BatchesAfterPlan.Of(links, mode);
        var actions = new List<StockAction>(batches.Creates.Count + (2 * batches.Changes.Count) + batches.Removed.Count);
        BatchChanges(batches, actions);
        var deallocated = KeepTheOldestLinesThatFit(links, batches, actions);
        Removals(batches, actions);
        Placements(links, batches, deallocated, state.Backorders, actions);
        return actions.ToSeq();
    }

    /// <summary>Rules 1 and 2: a batch new in the feed is created; one whose quantity or eta differs is
    /// changed. Both by reference.</summary>
    private static void BatchChanges(BatchesAfterPlan batches, List<StockAction> actions)
    {
        batches.Creates.Sort((x, y) => string.CompareOrdinal(x.Ref, y.Ref));
        foreach (var b in batches.Creates)
        {
            actions.Add(new CreateBatch(b.Ref, b.Sku, b.Qty, b.Eta));
        }
        batches.Changes.Sort((x, y) => string.CompareOrdinal(x.Now.Ref, y.Now.Ref));
        foreach (var (before, after) in batches.Changes)
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
    }

    /// <summary>
    /// Rule 4: each surviving batch keeps its lines oldest first while they fit (a line that fits is kept
    /// even after a bigger one did not), so a line that fits is never moved; every other line, and every
    /// line of a removed batch, is deallocated. Returns the deallocated lines, in allocation order.
    /// </summary>
    private static List<int> KeepTheOldestLinesThatFit(StockLinks links, BatchesAfterPlan batches, List<StockAction> actions)
    {
        var deallocated = new List<int>();
        for (var a = 0; a < links.Allocations.Length; a++)
        {
            if (!batches.TryKeep(links, a))
            {
                var line = links.Allocations[a];
                deallocated.Add(a);
                actions.Add(new Deallocate(line.OrderId, line.Sku, line.Qty, line.BatchRef));
            }
        }
        return deallocated;
    }

    /// <summary>Rule 3: a batch absent from the feed (full mode) is removed, by reference, once its lines left.</summary>
    private static void Removals(BatchesAfterPlan batches, List<StockAction> actions)
    {
        batches.Removed.Sort(StringComparer.Ordinal);
        foreach (var reference in batches.Removed)
        {
            actions.Add(new RemoveBatch(reference));
        }
    }

    /// <summary>
    /// Rule 5: deallocated lines (in allocation order), then backorders (oldest first), go to the first
    /// batch of their sku by the book's rule with room, never back to the batch they left. A deallocated
    /// line that fits nowhere is out of stock; a backorder that still fits nowhere stays where it is
    /// without a word: repeating its out_of_stock on every run would make a settled state look like
    /// pending work.
    /// </summary>
    private static void Placements(StockLinks links, BatchesAfterPlan batches, List<int> deallocated, Seq<OrderLine> backorders, List<StockAction> actions)
    {
        var wanted = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var a in deallocated)
        {
            wanted.Add(links.Allocations[a].Sku);
        }
        foreach (var line in backorders)
        {
            wanted.Add(line.Sku);
        }
        var availability = BatchAvailability.For(batches.Feed, batches.Kept, batches.Room, wanted);
        foreach (var a in deallocated)
        {
            var line = links.Allocations[a];
            var to = availability.Take(line.Sku, line.Qty, batches.Survives(links, a) ? line.BatchRef : null);
            actions.Add(to is null
                ? new OutOfStock(line.OrderId, line.Sku, line.Qty)
                : new Allocate(line.OrderId, line.Sku, line.Qty, to));
        }
        foreach (var line in backorders)
        {
            if (availability.Take(line.Sku, line.Qty, null) is { } to)
            {
                actions.Add(new Allocate(line.OrderId, line.Sku, line.Qty, to));
            }
        }
    }

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
