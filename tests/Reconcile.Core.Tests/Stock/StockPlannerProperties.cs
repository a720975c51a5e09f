using FsCheck;
using FsCheck.Fluent;
using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;

namespace Reconcile.Core.Tests.Stock;

public class StockPlannerProperties
{
    private const int Cases = 600;

    private static void Check(Func<Scenario, bool> law) =>
        Prop.ForAll(Gens.Scenarios.ToArbitrary(), law).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));

    private static (Seq<StockAction> Plan, StockState After) Run(Scenario s)
    {
        var plan = StockPlanner.Plan(s.Feed, s.State, s.Mode);
        return (plan, StockSimulator.Apply(s.State, plan));
    }

    [Fact]
    public void NoBatchIsOverAllocatedAfterThePlan() => Check(s =>
    {
        var after = Run(s).After;
        var allocated = after.Allocations.GroupBy(a => a.BatchRef, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Qty), StringComparer.Ordinal);
        return after.Batches.All(b => allocated.GetValueOrDefault(b.Ref) <= b.Qty);
    });

    [Fact]
    public void NoOrderLineIsLostAndEachSitsOnABatchOfItsSku() => Check(s =>
    {
        var after = Run(s).After;
        var before = s.State.Allocations.Select(a => a.Line).Concat(s.State.Backorders).OrderBy(l => l.OrderId, StringComparer.Ordinal).ThenBy(l => l.Sku, StringComparer.Ordinal);
        var now = after.Allocations.Select(a => a.Line).Concat(after.Backorders).OrderBy(l => l.OrderId, StringComparer.Ordinal).ThenBy(l => l.Sku, StringComparer.Ordinal);
        var skuOf = after.Batches.ToDictionary(b => b.Ref, b => b.Sku, StringComparer.Ordinal);
        return before.SequenceEqual(now)
            && after.Allocations.All(a => skuOf.TryGetValue(a.BatchRef, out var sku) && sku == a.Sku);
    });

    [Fact]
    public void BatchesEqualTheFeedInFullModeAndKeepAbsentOnesInPartialMode() => Check(s =>
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
    });

    [Fact]
    public void PlanningAgainAfterApplyingGivesAnEmptyPlan() => Check(s =>
        StockPlanner.Plan(s.Feed, Run(s).After, s.Mode).IsEmpty);

    [Fact]
    public void LineIsDeallocatedOnlyWhenItsBatchIsGoneOrItNoLongerFitsAfterTheOlderKeptLines() => Check(s =>
    {
        var (plan, after) = Run(s);
        var deallocated = plan.OfType<Deallocate>().Select(d => new LineKey(d.OrderId, d.Sku)).ToHashSet();
        var newQty = after.Batches.ToDictionary(b => b.Ref, b => b.Qty, StringComparer.Ordinal);
        var kept = new Dictionary<string, int>(StringComparer.Ordinal);
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
    });

    [Fact]
    public void LineIsNeverReallocatedToTheBatchItLeft() => Check(s =>
    {
        var plan = Run(s).Plan;
        var left = plan.OfType<Deallocate>().ToDictionary(d => new LineKey(d.OrderId, d.Sku), d => d.BatchRef);
        return plan.OfType<Allocate>().All(a => !left.TryGetValue(new LineKey(a.OrderId, a.Sku), out var from) || from != a.BatchRef);
    });

    [Fact]
    public void OnlyLinesThatNewlyBecomeBackordersAreReportedOutOfStock() => Check(s =>
    {
        var plan = Run(s).Plan;
        var deallocated = plan.OfType<Deallocate>().Select(d => new LineKey(d.OrderId, d.Sku)).ToHashSet();
        return plan.OfType<OutOfStock>().All(o => deallocated.Contains(new LineKey(o.OrderId, o.Sku)));
    });

    [Fact]
    public void SameInputsGiveTheSamePlan() => Check(s =>
    {
        // Fresh copies of every string, so that nothing can depend on object identity.
        static string Copy(string text) => new(text.AsSpan());
        var feed = s.Feed.Select(b => b with { Ref = Copy(b.Ref), Sku = Copy(b.Sku) }).ToArray().ToSeq();
        var state = new StockState(
            s.State.Batches.Select(b => b with { Ref = Copy(b.Ref) }).ToArray().ToSeq(),
            s.State.Allocations.Select(a => a with { OrderId = Copy(a.OrderId), BatchRef = Copy(a.BatchRef) }).ToArray().ToSeq(),
            s.State.Backorders.Select(l => l with { OrderId = Copy(l.OrderId) }).ToArray().ToSeq());
        return StockPlanner.Plan(s.Feed, s.State, s.Mode).SequenceEqual(StockPlanner.Plan(feed, state, s.Mode));
    });

    [Fact]
    public void AllocationLeavesNoBatchOverAllocatedLosesNoLineAndIsIdempotent() =>
        Prop.ForAll(Gens.AllocationScenarios.ToArbitrary(), s =>
        {
            var plan = StockPlanner.PlanAllocation(s.Orders, s.State);
            var after = StockSimulator.Apply(s.State, plan);
            var allocated = after.Allocations.GroupBy(a => a.BatchRef, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Qty), StringComparer.Ordinal);
            var present = after.Allocations.Select(a => a.Line).Concat(after.Backorders).ToHashSet();
            return after.Batches.All(b => allocated.GetValueOrDefault(b.Ref) <= b.Qty)
                && s.Orders.All(present.Contains)
                && s.State.Allocations.All(a => after.Allocations.Contains(a))
                && StockPlanner.PlanAllocation(s.Orders, after).IsEmpty;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));
}
