using System.Globalization;
using FsCheck.Xunit;
using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;

namespace Reconcile.Core.Tests.Stock;

[Properties(Arbitrary = new[] { typeof(StockGens) })]
public class StockPlannerProperties
{
    private const int Cases = 600;

    private static (Seq<StockAction> Plan, StockState After) Run(Scenario s)
    {
        var plan = StockPlanner.Plan(s.Feed, s.State, s.Mode);
        return (plan, StockSimulator.Apply(s.State, plan));
    }

    [ReconcileProperty(Cases)]
    public bool NoBatchIsOverAllocatedAfterThePlan(Scenario s)
    {
        var after = Run(s).After;
        var allocated = after.Allocations.GroupBy(a => a.BatchRef, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Qty), StringComparer.Ordinal);
        return after.Batches.All(b => allocated.GetValueOrDefault(b.Ref) <= b.Qty);
    }

    [ReconcileProperty(Cases)]
    public bool NoOrderLineIsLostAndEachSitsOnABatchOfItsSku(Scenario s)
    {
        var after = Run(s).After;
        var before = s.State.Allocations.Select(a => a.Line).Concat(s.State.Backorders).OrderBy(l => l.OrderId, StringComparer.Ordinal).ThenBy(l => l.Sku, StringComparer.Ordinal);
        var now = after.Allocations.Select(a => a.Line).Concat(after.Backorders).OrderBy(l => l.OrderId, StringComparer.Ordinal).ThenBy(l => l.Sku, StringComparer.Ordinal);
        var skuOf = after.Batches.ToDictionary(b => b.Ref, b => b.Sku, StringComparer.Ordinal);
        return before.SequenceEqual(now)
            && after.Allocations.All(a => skuOf.TryGetValue(a.BatchRef, out var sku) && sku == a.Sku);
    }

    [ReconcileProperty(Cases)]
    public bool BatchesEqualTheFeedInFullModeAndKeepAbsentOnesInPartialMode(Scenario s)
    {
        var after = Run(s).After;
        var expected = s.Feed.ToDictionary(b => b.Ref, StringComparer.Ordinal);
        if (s.Mode == StockMode.Partial)
        {
            foreach (var batch in s.State.Batches.Where(b => !expected.ContainsKey(b.Ref)))
            {
                expected.Add(batch.Ref, batch);
            }
        }
        return after.Batches.Count == expected.Count && after.Batches.All(b => expected.TryGetValue(b.Ref, out var e) && e == b);
    }

    [ReconcileProperty(Cases)]
    public bool PlanningAgainAfterApplyingGivesAnEmptyPlan(Scenario s) =>
        StockPlanner.Plan(s.Feed, Run(s).After, s.Mode).IsEmpty;

    [ReconcileProperty(Cases)]
    public bool LineIsDeallocatedOnlyWhenItsBatchIsGoneOrItNoLongerFitsAfterTheOlderKeptLines(Scenario s)
    {
        var (plan, after) = Run(s);
        var deallocated = plan.OfType<Deallocate>().Select(d => new LineKey(d.OrderId, d.Sku)).ToHashSet();
        var newQty = after.Batches.ToDictionary(b => b.Ref, b => b.Qty, StringComparer.Ordinal);
        var kept = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in s.State.Allocations)
        {
            if (!newQty.TryGetValue(line.BatchRef, out var qty))
            {
                if (!deallocated.Contains(line.Key))
                {
                    return false; // its batch is gone, yet the line was not moved
                }
                continue;
            }
            var older = kept.GetValueOrDefault(line.BatchRef);
            var fits = older + line.Qty <= qty;
            if (fits == deallocated.Contains(line.Key))
            {
                return false; // a line that fits was moved, or one that does not fit was kept
            }
            if (fits)
            {
                kept[line.BatchRef] = older + line.Qty;
            }
        }
        return true;
    }

    [ReconcileProperty(Cases)]
    public bool LineIsNeverReallocatedToTheBatchItLeft(Scenario s)
    {
        var plan = Run(s).Plan;
        var left = plan.OfType<Deallocate>().ToDictionary(d => new LineKey(d.OrderId, d.Sku), d => d.BatchRef);
        return plan.OfType<Allocate>().All(a => !left.TryGetValue(new LineKey(a.OrderId, a.Sku), out var from) || from != a.BatchRef);
    }

    [ReconcileProperty(Cases)]
    public bool OnlyLinesThatNewlyBecomeBackordersAreReportedOutOfStock(Scenario s)
    {
        var plan = Run(s).Plan;
        var deallocated = plan.OfType<Deallocate>().Select(d => new LineKey(d.OrderId, d.Sku)).ToHashSet();
        return plan.OfType<OutOfStock>().All(o => deallocated.Contains(new LineKey(o.OrderId, o.Sku)));
    }

    [ReconcileProperty(Cases)]
    public bool SameInputsGiveTheSamePlan(Scenario s)
    {
        // Fresh copies of every string, so that nothing can depend on object identity.
        static string Copy(string text) => new(text.AsSpan());
        var feed = s.Feed.Select(b => b with { Ref = Copy(b.Ref), Sku = Copy(b.Sku) }).ToArray().ToSeq();
        var state = new StockState(
            s.State.Batches.Select(b => b with { Ref = Copy(b.Ref) }).ToArray().ToSeq(),
            s.State.Allocations.Select(a => a with { OrderId = Copy(a.OrderId), BatchRef = Copy(a.BatchRef) }).ToArray().ToSeq(),
            s.State.Backorders.Select(l => l with { OrderId = Copy(l.OrderId) }).ToArray().ToSeq());
        return StockPlanner.Plan(s.Feed, s.State, s.Mode).SequenceEqual(StockPlanner.Plan(feed, state, s.Mode));
    }

    [ReconcileProperty(Cases)]
    public bool PlanningTheValidatedRowsGivesThePlanOfTheirValues(Scenario s)
    {
        // The validator hands the planner which state batch each feed batch and allocation names; the
        // plan must be exactly the one planned from the values alone, also for a copy (which does not
        // keep what the validator found). The feed's rows are shuffled, so that nothing can rely on the
        // feed listing its batches in the state's order.
        var random = new Random(s.Feed.Count + (31 * s.State.Batches.Count) + (7 * s.State.Allocations.Count));
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
        var shuffled = s.Feed.ToArray();
        random.Shuffle(shuffled);
        var feed = shuffled.Select((b, i) => new RawBatch(i + 2, b.Ref, b.Sku, Text(b.Qty), Date(b.Eta))).ToArray();
        var state = new StateRows(
            new RawTable<RawBatch>("batches.csv", s.State.Batches.Select((b, i) => new RawBatch(i + 2, b.Ref, b.Sku, Text(b.Qty), Date(b.Eta))).ToArray()),
            new RawTable<RawAllocation>("allocations.csv", s.State.Allocations.Select((a, i) => new RawAllocation(i + 2, a.OrderId, a.Sku, Text(a.Qty), a.BatchRef)).ToArray()),
            new RawTable<RawOrderLine>("unallocated.csv", s.State.Backorders.Select((l, i) => new RawOrderLine(i + 2, l.OrderId, l.Sku, Text(l.Qty))).ToArray()));
        var input = StockValidator.ValidateStock(new RawTable<RawBatch>("feed.csv", feed), state)
            .Match(i => i, e => throw new InvalidOperationException("a generated scenario is not valid: " + string.Join("; ", e)));
        var expected = StockPlanner.Plan(input.Feed, input.State, s.Mode);
        return StockPlanner.Plan(input, s.Mode).SequenceEqual(expected)
            && StockPlanner.Plan(input with { }, s.Mode).SequenceEqual(expected);
    }

    [ReconcileProperty(Cases)]
    public bool AllocationLeavesNoBatchOverAllocatedLosesNoLineAndIsIdempotent(AllocationScenario s)
    {
        var plan = StockPlanner.PlanAllocation(s.Orders, s.State);
        var after = StockSimulator.Apply(s.State, plan);
        var allocated = after.Allocations.GroupBy(a => a.BatchRef, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Qty), StringComparer.Ordinal);
        var present = after.Allocations.Select(a => a.Line).Concat(after.Backorders).ToHashSet();
        return after.Batches.All(b => allocated.GetValueOrDefault(b.Ref) <= b.Qty)
            && s.Orders.All(present.Contains)
            && s.State.Allocations.All(a => after.Allocations.Contains(a))
            && StockPlanner.PlanAllocation(s.Orders, after).IsEmpty;
    }

    [ReconcileProperty(Cases)]
    public bool EveryPlacementTakesTheFirstBatchByTheBookThatHasRoom(Scenario s)
    {
        var (plan, after) = Run(s);
        var left = plan.OfType<Deallocate>().ToDictionary(d => new LineKey(d.OrderId, d.Sku), d => d.BatchRef);
        var room = after.Batches.ToDictionary(b => b.Ref, b => (long)b.Qty, StringComparer.Ordinal);
        foreach (var kept in s.State.Allocations.Where(a => !left.ContainsKey(a.Key)))
        {
            room[kept.BatchRef] -= kept.Qty;
        }
        return PlacementsFollowTheRule(plan, after.Batches, room, left);
    }

    [ReconcileProperty(Cases)]
    public bool NewOrderLinesTakeTheFirstBatchByTheBookThatHasRoom(AllocationScenario s)
    {
        var plan = StockPlanner.PlanAllocation(s.Orders, s.State);
        var room = s.State.Batches.ToDictionary(b => b.Ref, b => (long)b.Qty, StringComparer.Ordinal);
        foreach (var a in s.State.Allocations)
        {
            room[a.BatchRef] -= a.Qty;
        }
        return PlacementsFollowTheRule(plan, s.State.Batches, room, []);
    }

    /// <summary>
    /// Walks the placements in plan order: each allocate must pick the first batch of its sku, in
    /// the book's order (in stock, earliest eta, ref), that has room and is not the batch the line
    /// just left; an out_of_stock must find no such batch.
    /// </summary>
    private static bool PlacementsFollowTheRule(Seq<StockAction> plan, Seq<Batch> batches, Dictionary<string, long> room, Dictionary<LineKey, string> left)
    {
        // The book's order, written out here rather than borrowed from the code under test.
        var ordered = batches
            .OrderBy(b => b.Eta is null ? 0 : 1)
            .ThenBy(b => b.Eta ?? DateOnly.MinValue)
            .ThenBy(b => b.Ref, StringComparer.Ordinal)
            .ToList();
        foreach (var action in plan)
        {
            var (key, qty, chosen) = action switch
            {
                Allocate a => (new LineKey(a.OrderId, a.Sku), a.Qty, a.BatchRef),
                OutOfStock o => (new LineKey(o.OrderId, o.Sku), o.Qty, null),
                _ => (default(LineKey), 0, "-"),
            };
            if (chosen == "-")
            {
                continue;
            }
            var leftRef = left.GetValueOrDefault(key);
            var best = ordered.FirstOrDefault(b => b.Sku == key.Sku && b.Ref != leftRef && room[b.Ref] >= qty);
            if (best?.Ref != chosen)
            {
                return false;
            }
            if (best is not null)
            {
                room[best.Ref] -= qty;
            }
        }
        return true;
    }
}
