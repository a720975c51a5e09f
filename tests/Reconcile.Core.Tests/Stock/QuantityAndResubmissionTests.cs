using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

/// <summary>Quantities are 64-bit counts, and a line already known is left alone whatever its sku's batches became.</summary>
public class QuantityAndResubmissionTests
{
    private static T Valid<T>(Validation<StockError, T> result) =>
        result.Match(v => v, e => throw new InvalidOperationException(string.Join("\n", e)));

    private static string[] Errors<T>(Validation<StockError, T> result) =>
        result.Match(_ => [], errors => errors.Select(e => e.ToString()).ToArray());

    [Fact]
    public void QuantitiesAboveThirtyTwoBitsAreAcceptedAndPlanned()
    {
        var state = StateRows(
            [new RawBatch(2, "b1", "S", "3000000000", "")],
            [new RawAllocation(2, "o1", "S", "2500000000", "b1")]);
        var input = Valid(StockValidator.ValidateStock(Batches("feed.csv", new RawBatch(2, "b1", "S", "9223372036854775807", "")), state));
        Assert.Equal(new Batch("b1", "S", 9_223_372_036_854_775_807, null), input.Feed.Head);
        Assert.Equal(2_500_000_000L, input.State.Allocations.Head.Qty);
        Assert.Equal(
            new StockAction[] { new ChangeQuantity("b1", 3_000_000_000, long.MaxValue) },
            StockPlanner.Plan(input, StockMode.Full));
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("100000000000000000000000")]
    public void AQuantityBeyondSixtyFourBitsIsTooLargeOnItsLine(string qty)
    {
        var errors = Errors(StockValidator.ValidateAllocate(
            new RawTable<RawOrderLine>("orders.csv", [new RawOrderLine(4, "o1", "S", qty)]),
            StateRows([new RawBatch(2, "b1", "S", "1", "")])));
        Assert.Equal([$"orders.csv:4: qty '{qty}' is too large (at most 9223372036854775807)"], errors);
    }

    [Fact]
    public void LinesAllocatingMoreThanAFullBatchNeverOverflowTheRoomLeft()
    {
        var state = State(
            [InStock("b1", 10, "S")],
            [new Allocation("o1", "S", long.MaxValue, "b1"), new Allocation("o2", "S", long.MaxValue, "b1")]);
        Assert.Equal(
            new StockAction[] { new OutOfStock("o3", "S", 1) },
            StockPlanner.PlanAllocation(new[] { new OrderLine("o3", "S", 1) }.ToSeq(), state));
    }

    [Fact]
    public void ABackorderSubmittedAgainIsLeftAloneAfterItsSkuLostEveryBatch()
    {
        // LAMP's batches were removed by a feed; the line waits as a backorder.
        var state = StateRows(
            [new RawBatch(2, "b1", "CHAIR", "5", "")],
            [new RawAllocation(2, "o1", "CHAIR", "2", "b1")],
            [new RawOrderLine(2, "o2", "LAMP", "3")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", [new RawOrderLine(2, "o1", "CHAIR", "2"), new RawOrderLine(3, "o2", "LAMP", "3")]);
        var input = Valid(StockValidator.ValidateAllocate(orders, state));
        Assert.Empty(StockPlanner.PlanAllocation(input.Orders, input.State));
    }

    [Fact]
    public void AKnownLineWithAnotherQuantityIsStillRefusedWhenItsSkuHasNoBatch()
    {
        var state = StateRows([new RawBatch(2, "b1", "CHAIR", "5", "")], [], [new RawOrderLine(2, "o2", "LAMP", "3")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", [new RawOrderLine(2, "o2", "LAMP", "4")]);
        Assert.Equal(
            ["orders.csv:2: order line (o2, LAMP) has qty 4 here but 3 at state/unallocated.csv:2"],
            Errors(StockValidator.ValidateAllocate(orders, state)));
    }

    [Fact]
    public void ANewLineOfASkuWithNoBatchIsStillAnUnknownSku()
    {
        var state = StateRows([new RawBatch(2, "b1", "CHAIR", "5", "")], [], [new RawOrderLine(2, "o2", "LAMP", "3")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", [new RawOrderLine(2, "o3", "LAMP", "3")]);
        Assert.Equal(
            ["orders.csv:2: unknown sku 'LAMP': no batch of it in state/batches.csv"],
            Errors(StockValidator.ValidateAllocate(orders, state)));
    }
}
