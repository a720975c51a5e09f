using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Core.Tests.Stock;

/// <summary>
/// The SPEC's stock rules written as plainly as they read, with lists and scans instead of indexes: too
/// slow for a million batches, but easy to check by eye. The real planner must agree with it.
/// </summary>
public static class ModelStockPlanner
{
    public static Seq<StockAction> Plan(Seq<Batch> feed, StockState state, StockMode mode)
    {
        var actions = new List<StockAction>();
        var before = state.Batches.ToDictionary(b => b.Ref, StringComparer.Ordinal);
        var fed = feed.Select(b => b.Ref).ToHashSet(StringComparer.Ordinal);

        // 1. A reference in FEED but not in STATE: create_batch, by reference.
        foreach (var batch in feed.Where(b => !before.ContainsKey(b.Ref)).OrderBy(b => b.Ref, StringComparer.Ordinal))
        {
            actions.Add(new CreateBatch(batch.Ref, batch.Sku, batch.Qty, batch.Eta));
        }

        // 2. A reference in both with another quantity or eta: change_quantity, change_eta, by reference.
        foreach (var batch in feed.Where(b => before.ContainsKey(b.Ref)).OrderBy(b => b.Ref, StringComparer.Ordinal))
        {
            var old = before[batch.Ref];
            if (old.Qty != batch.Qty)
            {
                actions.Add(new ChangeQuantity(batch.Ref, old.Qty, batch.Qty));
            }
            if (old.Eta != batch.Eta)
            {
                actions.Add(new ChangeEta(batch.Ref, old.Eta, batch.Eta));
            }
        }

        // The batches after the plan: the feed's, then (partial mode) the state's the feed leaves alone.
        var after = feed.ToList();
        if (mode == StockMode.Partial)
        {
            after.AddRange(state.Batches.Where(b => !fed.Contains(b.Ref)));
        }
        var used = after.ToDictionary(b => b.Ref, _ => 0L, StringComparer.Ordinal);
        Batch? Surviving(string reference) => after.FirstOrDefault(b => b.Ref == reference);

        // 4. Each batch keeps its lines oldest first while they fit; the others are deallocated.
        var deallocated = new List<Allocation>();
        foreach (var line in state.Allocations)
        {
            var batch = Surviving(line.BatchRef);
            if (batch is not null && line.Qty <= batch.Qty - used[batch.Ref])
            {
                used[batch.Ref] += line.Qty;
            }
            else
            {
                deallocated.Add(line);
                actions.Add(new Deallocate(line.OrderId, line.Sku, line.Qty, line.BatchRef));
            }
        }

        // 3. A reference in STATE but not in FEED (full mode): remove_batch, by reference, once its lines left.
        if (mode == StockMode.Full)
        {
            foreach (var batch in state.Batches.Where(b => !fed.Contains(b.Ref)).OrderBy(b => b.Ref, StringComparer.Ordinal))
            {
                actions.Add(new RemoveBatch(batch.Ref));
            }
        }

        // 5. Deallocated lines, then backorders, go to the first batch by the book's rule with room,
        // never back to the batch they left; a deallocated line that fits nowhere is out of stock.
        foreach (var line in deallocated)
        {
            var to = FirstWithRoom(after, used, line.Sku, line.Qty, except: Surviving(line.BatchRef)?.Ref);
            actions.Add(to is null ? new OutOfStock(line.OrderId, line.Sku, line.Qty) : new Allocate(line.OrderId, line.Sku, line.Qty, to));
        }
        foreach (var line in state.Backorders)
        {
            if (FirstWithRoom(after, used, line.Sku, line.Qty, except: null) is { } to)
            {
                actions.Add(new Allocate(line.OrderId, line.Sku, line.Qty, to));
            }
        }
        return actions.ToSeq();
    }

    /// <summary>New order lines in file order; a line already allocated or backordered is left alone.</summary>
    public static Seq<StockAction> PlanAllocation(Seq<OrderLine> orders, StockState state)
    {
        var batches = state.Batches.ToList();
        var used = batches.ToDictionary(b => b.Ref, _ => 0L, StringComparer.Ordinal);
        foreach (var line in state.Allocations.Where(a => used.ContainsKey(a.BatchRef)))
        {
            used[line.BatchRef] += line.Qty;
        }
        var known = state.Allocations.Select(a => a.Key).Concat(state.Backorders.Select(b => b.Key)).ToHashSet();
        var actions = new List<StockAction>();
        foreach (var line in orders.Where(o => known.Add(o.Key)))
        {
            var to = FirstWithRoom(batches, used, line.Sku, line.Qty, except: null);
            actions.Add(to is null ? new OutOfStock(line.OrderId, line.Sku, line.Qty) : new Allocate(line.OrderId, line.Sku, line.Qty, to));
        }
        return actions.ToSeq();
    }

    /// <summary>In stock first, then the earliest eta, ties by reference; the chosen batch's room is taken.</summary>
    private static string? FirstWithRoom(List<Batch> batches, Dictionary<string, long> used, string sku, long qty, string? except)
    {
        var chosen = batches
            .Where(b => b.Sku == sku && b.Ref != except && qty <= b.Qty - used[b.Ref])
            .OrderBy(b => b.Eta is null ? 0 : 1)
            .ThenBy(b => b.Eta)
            .ThenBy(b => b.Ref, StringComparer.Ordinal)
            .FirstOrDefault();
        if (chosen is not null)
        {
            used[chosen.Ref] += qty;
        }
        return chosen?.Ref;
    }
}
