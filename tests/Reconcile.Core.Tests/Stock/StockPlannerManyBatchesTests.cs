using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

/// <summary>
/// One sku with many batches, so that the search for the first batch with room goes deep and its
/// bookkeeping is updated many times. The expected placements are worked out by hand from the rule:
/// in stock first, then the earliest eta, ties by ordinal reference; the first batch with room wins.
/// </summary>
public class StockPlannerManyBatchesTests
{
    private static readonly DateOnly Jan05 = new(2025, 1, 5);
    private static readonly DateOnly Jan10 = new(2025, 1, 10);
    private static readonly DateOnly Jan20 = new(2025, 1, 20);
    private static readonly DateOnly Feb01 = new(2025, 2, 1);
    private static readonly DateOnly Feb15 = new(2025, 2, 15);
    private static readonly DateOnly Mar01 = new(2025, 3, 1);

    private static Seq<OrderLine> Orders(params int[] quantities) =>
        quantities.Select((qty, i) => Backorder($"o{i + 1}", qty)).ToSeq();

    private static StockAction Placed(int order, int qty, string? batch) =>
        batch is null ? new OutOfStock($"o{order}", "RED-CHAIR", qty) : new Allocate($"o{order}", "RED-CHAIR", qty, batch);

    [Fact]
    public void ElevenBatchesFillInRuleOrderLineAfterLine()
    {
        // In rule order, with the room each has: s1 1, s2 2, s5 5, e3 1 (Jan 5), e1 3 and e2 8 (Jan 10),
        // e5 4 and e7 2 (Jan 20), e4 6 (Feb 1), e8 7 (Feb 15), e6 10 (Mar 1: 12 less an allocation of 2).
        // The file order is shuffled, and a lamp batch with plenty of room must never be used.
        var state = State(
            [
                InStock("s2", 2), Arriving("e6", 12, Mar01), InStock("s1", 1), Arriving("e1", 3, Jan10),
                InStock("lamp", 50, "TASTELESS-LAMP"), Arriving("e8", 7, Feb15), InStock("s5", 5), Arriving("e3", 1, Jan05),
                Arriving("e2", 8, Jan10), Arriving("e5", 4, Jan20), Arriving("e4", 6, Feb01), Arriving("e7", 2, Jan20),
            ],
            [Line("x1", 2, "e6")]);
        var plan = StockPlanner.PlanAllocation(Orders(4, 2, 3, 9, 7, 5, 8, 1, 1, 2, 7, 2, 2, 2, 1, 1, 1, 1, 1), state);
        Assert.Equal(
            new[]
            {
                Placed(1, 4, "s5"), // the first in-stock batch with room 4
                Placed(2, 2, "s2"),
                Placed(3, 3, "e1"), // in stock is now 1, 0, 1: the earliest eta with room 3, e1 before e2
                Placed(4, 9, "e6"), // only the last batch has room 9
                Placed(5, 7, "e2"),
                Placed(6, 5, "e4"),
                Placed(7, 8, null), // the most room left anywhere is 7
                Placed(8, 1, "s1"),
                Placed(9, 1, "s5"),
                Placed(10, 2, "e5"), // e5 before e7 at the same eta
                Placed(11, 7, "e8"),
                Placed(12, 2, "e5"),
                Placed(13, 2, "e7"),
                Placed(14, 2, null), // left: e3 1, e2 1, e4 1, e6 1
                Placed(15, 1, "e3"),
                Placed(16, 1, "e2"),
                Placed(17, 1, "e4"),
                Placed(18, 1, "e6"),
                Placed(19, 1, null),
            },
            plan);
    }

    [Fact]
    public void NineBatchesOfGrowingRoomAreUsedFromTheFirstThatFits()
    {
        var state = State(Enumerable.Range(1, 9).Reverse().Select(i => InStock($"b{i:00}", i)).ToArray());
        var plan = StockPlanner.PlanAllocation(Orders(9, 8, 5, 5, 5, 4, 4, 3, 2, 2, 1, 1, 1), state);
        Assert.Equal(
            new[]
            {
                Placed(1, 9, "b09"),
                Placed(2, 8, "b08"),
                Placed(3, 5, "b05"),
                Placed(4, 5, "b06"),
                Placed(5, 5, "b07"),
                Placed(6, 4, "b04"),
                Placed(7, 4, null), // left: 1, 2, 3, 0, 0, 1, 2, 0, 0
                Placed(8, 3, "b03"),
                Placed(9, 2, "b02"),
                Placed(10, 2, "b07"),
                Placed(11, 1, "b01"),
                Placed(12, 1, "b06"),
                Placed(13, 1, null),
            },
            plan);
    }

    [Fact]
    public void SeventeenBatchesWithRoomOnlyAtTheEnds()
    {
        // b01 and b17 have room 3; the fifteen between have room 1.
        var state = State(Enumerable.Range(1, 17).Select(i => InStock($"b{i:00}", i is 1 or 17 ? 3 : 1)).ToArray());
        var plan = StockPlanner.PlanAllocation(Orders(2, 2, 2, 1, 1, 1), state);
        Assert.Equal(
            new[] { Placed(1, 2, "b01"), Placed(2, 2, "b17"), Placed(3, 2, null), Placed(4, 1, "b01"), Placed(5, 1, "b02"), Placed(6, 1, "b03") },
            plan);
    }

    [Fact]
    public void ShrunkBatchesAmongManyMoveTheirLinesToTheFirstBatchWithRoom()
    {
        // Ten in-stock batches c0..c9 of 4, each holding a line of 3. c1, c4 and c7 shrink to 2, so their
        // lines move; only c9 is left with room 4 by the feed (it grows to 7), then nothing has room 3.
        var batches = Enumerable.Range(0, 10).Select(i => InStock($"c{i}", 4)).ToArray();
        var lines = Enumerable.Range(0, 10).Select(i => Line($"o{i}", 3, $"c{i}")).ToArray();
        var feed = batches.Select(b => b.Ref is "c1" or "c4" or "c7" ? b with { Qty = 2 } : b.Ref == "c9" ? b with { Qty = 7 } : b).ToSeq();
        var plan = StockPlanner.Plan(feed, State(batches, lines), StockMode.Full);
        Assert.Equal(
            new StockAction[]
            {
                new ChangeQuantity("c1", 4, 2),
                new ChangeQuantity("c4", 4, 2),
                new ChangeQuantity("c7", 4, 2),
                new ChangeQuantity("c9", 4, 7),
                new Deallocate("o1", "RED-CHAIR", 3, "c1"),
                new Deallocate("o4", "RED-CHAIR", 3, "c4"),
                new Deallocate("o7", "RED-CHAIR", 3, "c7"),
                new Allocate("o1", "RED-CHAIR", 3, "c9"),
                new OutOfStock("o4", "RED-CHAIR", 3),
                new OutOfStock("o7", "RED-CHAIR", 3),
            },
            plan);
    }

    [Fact]
    public void CreationsAndRemovalsAreOrderedByReferenceWhateverTheFileOrder()
    {
        var state = State([InStock("z", 1), InStock("keep", 1), InStock("x", 1), InStock("y", 1)]);
        var plan = StockPlanner.Plan(Feed(InStock("c", 1), InStock("keep", 1), InStock("a", 1), InStock("B", 1)), state, StockMode.Full);
        Assert.Equal(
            new StockAction[]
            {
                new CreateBatch("B", "RED-CHAIR", 1, null),
                new CreateBatch("a", "RED-CHAIR", 1, null),
                new CreateBatch("c", "RED-CHAIR", 1, null),
                new RemoveBatch("x"),
                new RemoveBatch("y"),
                new RemoveBatch("z"),
            },
            plan);
    }
}
