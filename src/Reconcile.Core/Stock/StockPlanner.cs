using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>
/// Decides what to do, purely. Plan order: create_batch (by ref), change_quantity/change_eta (by ref),
/// deallocate (in allocation order), remove_batch (by ref), then allocate/out_of_stock in placement
/// order (deallocated lines in allocation order, then backorders oldest first). Lines leave a batch
/// before it is removed, so applying the plan step by step never leaves a line on a missing batch.
/// </summary>
public static class StockPlanner
{
    public static Seq<StockAction> Plan(Seq<Batch> feed, StockState state, StockMode mode)
    {
        var oldByRef = new Dictionary<string, Batch>(state.Batches.Count, StringComparer.Ordinal);
        foreach (var batch in state.Batches)
        {
            oldByRef.Add(batch.Ref, batch);
        }
        var feedByRef = new Dictionary<string, Batch>(feed.Count, StringComparer.Ordinal);
        foreach (var batch in feed)
        {
            feedByRef.Add(batch.Ref, batch);
        }

        var final = new Dictionary<string, Batch>(feedByRef, StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var batch in state.Batches)
        {
            if (feedByRef.ContainsKey(batch.Ref))
            {
                continue;
            }
            if (mode == StockMode.Partial)
            {
                final.Add(batch.Ref, batch);
            }
            else
            {
                removed.Add(batch.Ref);
            }
        }

        var actions = new List<StockAction>();
        actions.AddRange(feed
            .Where(b => !oldByRef.ContainsKey(b.Ref))
            .OrderBy(b => b.Ref, StringComparer.Ordinal)
            .Select(b => new CreateBatch(b.Ref, b.Sku, b.Qty, b.Eta)));
        foreach (var now in feed.Where(b => oldByRef.ContainsKey(b.Ref)).OrderBy(b => b.Ref, StringComparer.Ordinal))
        {
            var old = oldByRef[now.Ref];
            if (old.Qty != now.Qty)
            {
                actions.Add(new ChangeQuantity(now.Ref, old.Qty, now.Qty));
            }
            if (old.Eta != now.Eta)
            {
                actions.Add(new ChangeEta(now.Ref, old.Eta, now.Eta));
            }
        }

        // Each surviving batch keeps its lines oldest first while they fit (a line that fits is kept even
        // after a bigger one did not), so a line that fits is never moved.
        var available = new Dictionary<string, long>(final.Count, StringComparer.Ordinal);
        foreach (var batch in final.Values)
        {
            available.Add(batch.Ref, batch.Qty);
        }
        var moved = new List<Allocation>();
        foreach (var allocation in state.Allocations)
        {
            if (available.TryGetValue(allocation.BatchRef, out var room) && allocation.Qty <= room)
            {
                available[allocation.BatchRef] = room - allocation.Qty;
            }
            else
            {
                moved.Add(allocation);
                actions.Add(new Deallocate(allocation.OrderId, allocation.Sku, allocation.Qty, allocation.BatchRef));
            }
        }
        actions.AddRange(removed.OrderBy(r => r, StringComparer.Ordinal).Select(r => new RemoveBatch(r)));

        var availability = new BatchAvailability(final.Values, available);
        foreach (var line in moved)
        {
            var from = availability.Exists(line.BatchRef) ? line.BatchRef : null;
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

    /// <summary>
    /// Places new order lines, in file order, by the same rule. A line that is already allocated or
    /// already a backorder is left as it is, so submitting the same orders twice changes nothing.
    /// </summary>
    public static Seq<StockAction> PlanAllocation(Seq<OrderLine> orders, StockState state)
    {
        var known = new System.Collections.Generic.HashSet<LineKey>();
        var available = new Dictionary<string, long>(state.Batches.Count, StringComparer.Ordinal);
        foreach (var batch in state.Batches)
        {
            available.Add(batch.Ref, batch.Qty);
        }
        foreach (var allocation in state.Allocations)
        {
            known.Add(allocation.Key);
            if (available.TryGetValue(allocation.BatchRef, out var room))
            {
                available[allocation.BatchRef] = room - allocation.Qty;
            }
        }
        foreach (var backorder in state.Backorders)
        {
            known.Add(backorder.Key);
        }
        var availability = new BatchAvailability(state.Batches, available);
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
}
