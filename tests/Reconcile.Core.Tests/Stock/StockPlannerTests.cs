using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

public class StockPlannerTests
{
    private static Seq<StockAction> Plan(Seq<Batch> feed, StockState state, StockMode mode = StockMode.Full) =>
        StockPlanner.Plan(feed, state, mode);

    [Fact]
    public void NewBatchIsCreatedChangedOnesChangeAndAbsentOnesAreRemoved()
    {
        var state = State([InStock("b1", 10), Arriving("b2", 5, Soon), InStock("b3", 1)]);
        var plan = Plan(Feed(InStock("b1", 12), Arriving("b2", 5, Later), InStock("a0", 4, "TASTELESS-LAMP")), state);
        Assert.Equal(
            new StockAction[]
            {
                new CreateBatch("a0", "TASTELESS-LAMP", 4, null),
                new ChangeQuantity("b1", 10, 12),
                new ChangeEta("b2", Soon, Later),
                new RemoveBatch("b3"),
            },
            plan);
    }

    [Fact]
    public void NothingChangedGivesAnEmptyPlan()
    {
        var state = State([InStock("b1", 10)], [Line("o1", 4, "b1")], [Backorder("o2", 7)]);
        Assert.Empty(Plan(Feed(InStock("b1", 10)), state));
    }

    [Fact]
    public void ShrinkingBatchKeepsTheOldestLinesThatFitAndMovesOnlyTheRest()
    {
        // 10 -> 6: o1 (5) is kept, o2 (4) no longer fits, o3 (1) still fits after o1 and is kept.
        var state = State([InStock("b1", 10), Arriving("b2", 20, Soon)], [Line("o1", 5, "b1"), Line("o2", 4, "b1"), Line("o3", 1, "b1")]);
        var plan = Plan(Feed(InStock("b1", 6), Arriving("b2", 20, Soon)), state);
        Assert.Equal(
            new StockAction[]
            {
                new ChangeQuantity("b1", 10, 6),
                new Deallocate("o2", "RED-CHAIR", 4, "b1"),
                new Allocate("o2", "RED-CHAIR", 4, "b2"),
            },
            plan);
    }

    [Fact]
    public void ShrinkingBatchFollowsAllocationOrderNotFileOrderOfSizes()
    {
        // The same lines, in another allocation order: now o2 is the oldest and o1 must move.
        var state = State([InStock("b1", 10), Arriving("b2", 20, Soon)], [Line("o2", 4, "b1"), Line("o1", 5, "b1"), Line("o3", 1, "b1")]);
        var plan = Plan(Feed(InStock("b1", 6), Arriving("b2", 20, Soon)), state);
        Assert.Equal(
            new StockAction[]
            {
                new ChangeQuantity("b1", 10, 6),
                new Deallocate("o1", "RED-CHAIR", 5, "b1"),
                new Allocate("o1", "RED-CHAIR", 5, "b2"),
            },
            plan);
    }

    [Fact]
    public void LineDeallocatedFromAShrunkBatchIsNotReallocatedToIt()
    {
        // 10 -> 5 keeps o1 (3), leaving room 2; o2 (4) moves to b2 even though b1 is in stock.
        var state = State([InStock("b1", 10), Arriving("b2", 9, Later)], [Line("o1", 3, "b1"), Line("o2", 4, "b1")]);
        var plan = Plan(Feed(InStock("b1", 5), Arriving("b2", 9, Later)), state);
        Assert.Contains(new Allocate("o2", "RED-CHAIR", 4, "b2"), plan);
        Assert.DoesNotContain(plan, a => a is Allocate { BatchRef: "b1" });
    }

    [Fact]
    public void QuantitiesFitExactly()
    {
        var state = State([InStock("b1", 10)], [Line("o1", 6, "b1"), Line("o2", 4, "b1")], [Backorder("o3", 5)]);
        var plan = Plan(Feed(InStock("b1", 10), InStock("b2", 5)), state);
        Assert.Equal(new StockAction[] { new CreateBatch("b2", "RED-CHAIR", 5, null), new Allocate("o3", "RED-CHAIR", 5, "b2") }, plan);
    }

    [Fact]
    public void InStockBeatsEarliestEta()
    {
        var state = State([], [], [Backorder("o1", 2)]);
        var plan = Plan(Feed(Arriving("a-soon", 5, Soon), InStock("z-now", 5)), state);
        Assert.Equal(new Allocate("o1", "RED-CHAIR", 2, "z-now"), plan.Last());
    }

    [Fact]
    public void EarlierEtaBeatsLaterEta()
    {
        var state = State([], [], [Backorder("o1", 2)]);
        var plan = Plan(Feed(Arriving("a-later", 5, Later), Arriving("z-soon", 5, Soon)), state);
        Assert.Equal(new Allocate("o1", "RED-CHAIR", 2, "z-soon"), plan.Last());
    }

    [Fact]
    public void EqualEtasTieByOrdinalReference()
    {
        // Ordinally 'B' (66) sorts before 'b' (98); a culture-aware comparison would pick "b-1".
        var state = State([], [], [Backorder("o1", 2)]);
        var plan = Plan(Feed(Arriving("b-1", 5, Soon), Arriving("B-2", 5, Soon)), state);
        Assert.Equal(new Allocate("o1", "RED-CHAIR", 2, "B-2"), plan.Last());
    }

    [Fact]
    public void BatchWithoutRoomIsSkippedForTheNextByTheRule()
    {
        var state = State([InStock("b1", 3)], [Line("o1", 2, "b1")], [Backorder("o2", 2)]);
        var plan = Plan(Feed(InStock("b1", 3), Arriving("b2", 2, Later)), state);
        Assert.Equal(new Allocate("o2", "RED-CHAIR", 2, "b2"), plan.Last());
    }

    [Fact]
    public void RemovedBatchMovesAllItsLines()
    {
        var state = State(
            [InStock("b1", 10), Arriving("b2", 10, Soon)],
            [Line("o1", 3, "b1"), Line("o2", 3, "b2"), Line("o3", 4, "b1")]);
        var plan = Plan(Feed(Arriving("b2", 10, Soon)), state);
        Assert.Equal(
            new StockAction[]
            {
                new Deallocate("o1", "RED-CHAIR", 3, "b1"),
                new Deallocate("o3", "RED-CHAIR", 4, "b1"),
                new RemoveBatch("b1"),
                new Allocate("o1", "RED-CHAIR", 3, "b2"),
                new Allocate("o3", "RED-CHAIR", 4, "b2"),
            },
            plan);
    }

    [Fact]
    public void LineThatFitsNowhereGoesOutOfStock()
    {
        var state = State([InStock("b1", 10)], [Line("o1", 8, "b1")]);
        var plan = Plan(Feed(InStock("b1", 5)), state);
        Assert.Equal(
            new StockAction[] { new ChangeQuantity("b1", 10, 5), new Deallocate("o1", "RED-CHAIR", 8, "b1"), new OutOfStock("o1", "RED-CHAIR", 8) },
            plan);
        var after = StockSimulator.Apply(state, plan);
        Assert.Equal(new[] { Backorder("o1", 8) }, after.Backorders);
        Assert.Empty(after.Allocations);
    }

    [Fact]
    public void PartialModeLeavesAbsentBatchesAlone()
    {
        var state = State([InStock("b1", 10), InStock("b2", 4)], [Line("o1", 4, "b2")]);
        var plan = Plan(Feed(InStock("b1", 7)), state, StockMode.Partial);
        Assert.Equal(new StockAction[] { new ChangeQuantity("b1", 10, 7) }, plan);
    }

    [Fact]
    public void PartialModeStillPlacesBackordersInAbsentBatches()
    {
        var state = State([InStock("b1", 10), InStock("b2", 4)], [], [Backorder("o1", 4)]);
        var plan = Plan(Feed(Arriving("b3", 1, Soon)), state, StockMode.Partial);
        Assert.Equal(new Allocate("o1", "RED-CHAIR", 4, "b1"), plan.Last());
    }

    [Fact]
    public void BackordersAreFilledOldestFirstWhenStockArrives()
    {
        var state = State([], [], [Backorder("o1", 3), Backorder("o2", 3), Backorder("o3", 1, "TASTELESS-LAMP")]);
        var plan = Plan(Feed(Arriving("b1", 4, Soon)), state);
        Assert.Equal(
            new StockAction[] { new CreateBatch("b1", "RED-CHAIR", 4, Soon), new Allocate("o1", "RED-CHAIR", 3, "b1") },
            plan);
    }

    [Fact]
    public void BackorderThatStillFitsNowhereProducesNoAction()
    {
        var state = State([InStock("b1", 2)], [], [Backorder("o1", 3)]);
        Assert.Empty(Plan(Feed(InStock("b1", 2)), state));
    }

    [Fact]
    public void DeallocatedLinesArePlacedBeforeBackorders()
    {
        // b1 is removed; its line and an older backorder both want the only 4 units of b2.
        var state = State([InStock("b1", 4), InStock("b2", 4)], [Line("o2", 4, "b1")], [Backorder("o1", 4)]);
        var plan = Plan(Feed(InStock("b2", 4)), state);
        Assert.Equal(
            new StockAction[] { new Deallocate("o2", "RED-CHAIR", 4, "b1"), new RemoveBatch("b1"), new Allocate("o2", "RED-CHAIR", 4, "b2") },
            plan);
    }

    [Fact]
    public void OverAllocatedStateIsRepairedEvenWithoutAChange()
    {
        var state = State([InStock("b1", 5)], [Line("o1", 3, "b1"), Line("o2", 3, "b1")]);
        var plan = Plan(Feed(InStock("b1", 5)), state);
        Assert.Equal(new StockAction[] { new Deallocate("o2", "RED-CHAIR", 3, "b1"), new OutOfStock("o2", "RED-CHAIR", 3) }, plan);
    }

    [Fact]
    public void AllocationPlacesNewLinesAndLeavesKnownOnesAlone()
    {
        var state = State([InStock("b1", 5), Arriving("b2", 5, Soon)], [Line("o1", 4, "b1")], [Backorder("o2", 9)]);
        var orders = new[] { Backorder("o1", 4), Backorder("o2", 9), Backorder("o3", 2), Backorder("o4", 1), Backorder("o5", 7) }.ToSeq();
        var plan = StockPlanner.PlanAllocation(orders, state);
        Assert.Equal(
            new StockAction[]
            {
                new Allocate("o3", "RED-CHAIR", 2, "b2"),
                new Allocate("o4", "RED-CHAIR", 1, "b1"),
                new OutOfStock("o5", "RED-CHAIR", 7),
            },
            plan);
        var after = StockSimulator.Apply(state, plan);
        Assert.Empty(StockPlanner.PlanAllocation(orders, after));
    }
}
