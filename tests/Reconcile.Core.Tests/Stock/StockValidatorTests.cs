using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

public class StockValidatorTests
{
    private const string FeedFile = "feed.csv";

    private static string[] Errors<T>(Validation<StockError, T> result) =>
        result.Match(_ => [], errors => errors.Select(e => e.ToString()).ToArray());

    private static string[] ErrorsOf(RawBatch[] feed, StateRows state) =>
        Errors(StockValidator.ValidateStock(Batches(FeedFile, feed), state));

    [Fact]
    public void ConsistentInputGivesTheSnapshot()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(2, "o1", "RED-CHAIR", "3", "b1")], [new RawOrderLine(2, "o2", "RED-CHAIR", "1")]);
        var result = StockValidator.ValidateStock(Batches(FeedFile, new RawBatch(2, "b1", "RED-CHAIR", "8", "2025-02-01")), state);
        var input = result.Match(i => i, e => throw new InvalidOperationException(string.Join("\n", e)));
        Assert.Equal(new[] { Arriving("b1", 8, Soon) }, input.Feed);
        Assert.Equal(State([InStock("b1", 10)], [Line("o1", 3, "b1")], [Backorder("o2", 1)]), input.State);
    }

    [Fact]
    public void SkuChangeIsRejectedNamingBothFiles()
    {
        var state = StateRows([new RawBatch(2, "b0", "X", "1", ""), new RawBatch(3, "b1", "RED-CHAIR", "10", "")]);
        var errors = ErrorsOf([new RawBatch(4, "b1", "BLUE-SOFA", "10", "")], state);
        Assert.Equal(["feed.csv:4: batch 'b1' has sku 'BLUE-SOFA' here but 'RED-CHAIR' at state/batches.csv:3; a batch's sku never changes"], errors);
    }

    [Fact]
    public void DuplicateReferenceNamesBothLines()
    {
        var errors = ErrorsOf([new RawBatch(2, "b1", "S", "1", ""), new RawBatch(3, "b2", "S", "1", ""), new RawBatch(5, "b1", "S", "2", "")], StateRows([]));
        Assert.Equal(["feed.csv:5: duplicate ref 'b1': also on line 2"], errors);
    }

    [Theory]
    [InlineData("", "S", "1", "", "ref is empty")]
    [InlineData("  ", "S", "1", "", "ref is empty")]
    [InlineData("b", "", "1", "", "sku is empty")]
    [InlineData("b", "S", "", "", "qty '' is not a non-negative integer")]
    [InlineData("b", "S", "-1", "", "qty '-1' is not a non-negative integer")]
    [InlineData("b", "S", "1.5", "", "qty '1.5' is not a non-negative integer")]
    [InlineData("b", "S", "1e3", "", "qty '1e3' is not a non-negative integer")]
    [InlineData("b", "S", " 1", "", "qty ' 1' is not a non-negative integer")]
    [InlineData("b", "S", "99999999999999999999", "", "qty '99999999999999999999' is too large (at most 9223372036854775807)")]
    [InlineData("b", "S", "1", "2025-02-30", "eta '2025-02-30' is not a real date (yyyy-MM-dd, or empty for in stock)")]
    [InlineData("b", "S", "1", "2025/02/01", "eta '2025/02/01' is not a real date (yyyy-MM-dd, or empty for in stock)")]
    [InlineData("b", "S", "1", "01-02-2025", "eta '01-02-2025' is not a real date (yyyy-MM-dd, or empty for in stock)")]
    public void BadBatchValueIsRejectedWithItsLine(string reference, string sku, string qty, string eta, string message)
    {
        var errors = ErrorsOf([new RawBatch(7, reference, sku, qty, eta)], StateRows([]));
        Assert.Equal([$"feed.csv:7: {message}"], errors);
    }

    [Fact]
    public void ZeroQuantityBatchIsAccepted()
    {
        Assert.Empty(ErrorsOf([new RawBatch(2, "b", "S", "0", "")], StateRows([])));
    }

    [Theory]
    [InlineData("", "S", "1", "orderid is empty")]
    [InlineData("o", "", "1", "sku is empty")]
    [InlineData("o", "S", "0", "qty '0' is not a positive integer")]
    [InlineData("o", "S", "-2", "qty '-2' is not a positive integer")]
    [InlineData("o", "S", "x", "qty 'x' is not a positive integer")]
    public void BadBackorderValueIsRejectedWithItsLine(string orderId, string sku, string qty, string message)
    {
        var errors = ErrorsOf([], StateRows([], [], [new RawOrderLine(3, orderId, sku, qty)]));
        Assert.Equal([$"state/unallocated.csv:3: {message}"], errors);
    }

    [Fact]
    public void AllocationToUnknownBatchOrOtherSkuIsRejected()
    {
        var state = StateRows(
            [new RawBatch(2, "b1", "RED-CHAIR", "10", "")],
            [new RawAllocation(2, "o1", "RED-CHAIR", "1", "b9"), new RawAllocation(3, "o2", "BLUE-SOFA", "1", "b1"), new RawAllocation(4, "o3", "RED-CHAIR", "1", "")]);
        Assert.Equal(
            [
                "state/allocations.csv:2: allocation names unknown batch 'b9'",
                "state/allocations.csv:3: allocation has sku 'BLUE-SOFA' but batch 'b1' holds 'RED-CHAIR' (state/batches.csv:2)",
                "state/allocations.csv:4: batchref is empty",
            ],
            ErrorsOf([], state));
    }

    [Fact]
    public void LineBothAllocatedAndBackorderedIsADuplicateKey()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(5, "o1", "RED-CHAIR", "1", "b1")], [new RawOrderLine(2, "o1", "RED-CHAIR", "1")]);
        Assert.Equal(["state/unallocated.csv:2: duplicate order line (o1, RED-CHAIR): also at state/allocations.csv:5"], ErrorsOf([], state));
    }

    [Fact]
    public void SameOrderWithAnotherSkuIsAnotherLine()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(2, "o1", "RED-CHAIR", "1", "b1")], [new RawOrderLine(2, "o1", "BLUE-SOFA", "1")]);
        Assert.Empty(ErrorsOf([], state));
    }

    [Fact]
    public void AllErrorsOfAllFilesAreReportedAtOnceInFileThenLineOrder()
    {
        var state = StateRows(
            [new RawBatch(2, "b1", "S", "x", ""), new RawBatch(3, "b1", "S", "1", "")],
            [new RawAllocation(2, "o1", "S", "0", "b1")],
            [new RawOrderLine(4, "", "S", "1")]);
        var errors = ErrorsOf([new RawBatch(3, "", "S", "1", "tomorrow"), new RawBatch(2, "b2", "S", "-1", "")], state);
        Assert.Equal(
            [
                "feed.csv:2: qty '-1' is not a non-negative integer",
                "feed.csv:3: ref is empty",
                "feed.csv:3: eta 'tomorrow' is not a real date (yyyy-MM-dd, or empty for in stock)",
                "state/batches.csv:2: qty 'x' is not a non-negative integer",
                "state/batches.csv:3: duplicate ref 'b1': also on line 2",
                "state/allocations.csv:2: qty '0' is not a positive integer",
                "state/unallocated.csv:4: orderid is empty",
            ],
            errors);
    }

    [Fact]
    public void AllocateRejectsUnknownSkuDuplicatesAndAmendedQuantities()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(2, "o1", "RED-CHAIR", "3", "b1")], [new RawOrderLine(2, "o2", "RED-CHAIR", "4")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", new[]
        {
            new RawOrderLine(2, "o1", "RED-CHAIR", "3"),
            new RawOrderLine(3, "o1", "RED-CHAIR", "3"),
            new RawOrderLine(4, "o2", "RED-CHAIR", "5"),
            new RawOrderLine(5, "o3", "GREEN-CURTAIN", "1"),
            new RawOrderLine(6, "o4", "RED-CHAIR", "1"),
        });
        Assert.Equal(
            [
                "orders.csv:3: duplicate order line (o1, RED-CHAIR): also at line 2",
                "orders.csv:4: order line (o2, RED-CHAIR) has qty 5 here but 4 at state/unallocated.csv:2",
                "orders.csv:5: unknown sku 'GREEN-CURTAIN': no batch of it in state/batches.csv",
            ],
            Errors(StockValidator.ValidateAllocate(orders, state)));
    }

    [Fact]
    public void AllocateAcceptsRepeatedLinesWithTheSameQuantity()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(2, "o1", "RED-CHAIR", "3", "b1")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", new[] { new RawOrderLine(2, "o1", "RED-CHAIR", "3"), new RawOrderLine(3, "o2", "RED-CHAIR", "1") });
        var input = StockValidator.ValidateAllocate(orders, state).Match(i => i, e => throw new InvalidOperationException(string.Join("\n", e)));
        Assert.Equal(new[] { Backorder("o1", 3), Backorder("o2", 1) }, input.Orders);
    }

    [Fact]
    public void BlankSkuInStateIsReportedOnceNotAlsoAsASkuChange()
    {
        var state = StateRows([new RawBatch(2, "b1", " ", "10", "")]);
        Assert.Equal(["state/batches.csv:2: sku is empty"], ErrorsOf([new RawBatch(4, "b1", "RED-CHAIR", "10", "")], state));
    }

    [Fact]
    public void AllocationWithABlankSkuIsNotAlsoASkuMismatch()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(3, "o1", "", "1", "b1")]);
        Assert.Equal(["state/allocations.csv:3: sku is empty"], ErrorsOf([], state));
    }

    [Fact]
    public void AllocationToABatchWithABlankSkuIsNotAlsoASkuMismatch()
    {
        var state = StateRows([new RawBatch(2, "b1", "", "10", "")], [new RawAllocation(3, "o1", "RED-CHAIR", "1", "b1")]);
        Assert.Equal(["state/batches.csv:2: sku is empty"], ErrorsOf([], state));
    }

    [Fact]
    public void LinesWithABlankKeyFieldAreNeverDuplicatesOfEachOther()
    {
        var state = StateRows(
            [],
            [],
            [new RawOrderLine(2, "", "S", "1"), new RawOrderLine(3, "", "S", "1"), new RawOrderLine(4, "o", "", "1"), new RawOrderLine(5, "o", "", "1")]);
        Assert.Equal(
            [
                "state/unallocated.csv:2: orderid is empty",
                "state/unallocated.csv:3: orderid is empty",
                "state/unallocated.csv:4: sku is empty",
                "state/unallocated.csv:5: sku is empty",
            ],
            ErrorsOf([], state));
    }

    [Fact]
    public void AllocateRejectsAnAmendedQuantityOfAnAllocatedLine()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")], [new RawAllocation(2, "x", "RED-CHAIR", "1", "b1"), new RawAllocation(3, "o1", "RED-CHAIR", "3", "b1")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", new[] { new RawOrderLine(2, "o1", "RED-CHAIR", "5") });
        Assert.Equal(
            ["orders.csv:2: order line (o1, RED-CHAIR) has qty 5 here but 3 at state/allocations.csv:3"],
            Errors(StockValidator.ValidateAllocate(orders, state)));
    }

    [Fact]
    public void AllocateReportsOnlyTheBadQuantityOfAnOrderThatIsAlsoForAnUnknownSku()
    {
        var state = StateRows([new RawBatch(2, "b1", "RED-CHAIR", "10", "")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", new[] { new RawOrderLine(2, "o1", "GREEN-CURTAIN", "0") });
        Assert.Equal(["orders.csv:2: qty '0' is not a positive integer"], Errors(StockValidator.ValidateAllocate(orders, state)));
    }

    [Fact]
    public void AllocateErrorsComeOrdersFileFirstThenStateFiles()
    {
        var state = StateRows([new RawBatch(9, "b1", "RED-CHAIR", "ten", "")], [], [new RawOrderLine(2, "o9", "RED-CHAIR", "")]);
        var orders = new RawTable<RawOrderLine>("orders.csv", new[] { new RawOrderLine(7, "o1", "", "1"), new RawOrderLine(3, "o2", "RED-CHAIR", "-1") });
        Assert.Equal(
            [
                "orders.csv:3: qty '-1' is not a positive integer",
                "orders.csv:7: sku is empty",
                "state/batches.csv:9: qty 'ten' is not a non-negative integer",
                "state/unallocated.csv:2: qty '' is not a positive integer",
            ],
            Errors(StockValidator.ValidateAllocate(orders, state)));
    }

    [Fact]
    public void StateAloneIsValidatedIntoTheSnapshot()
    {
        var state = StateRows(
            [new RawBatch(2, "b1", "RED-CHAIR", "10", ""), new RawBatch(3, "b2", "RED-CHAIR", "5", "2025-03-01")],
            [new RawAllocation(2, "o1", "RED-CHAIR", "3", "b2")],
            [new RawOrderLine(2, "o2", "RED-CHAIR", "1")]);
        var result = StockValidator.ValidateState(state).Match(s => s, e => throw new InvalidOperationException(string.Join("\n", e)));
        Assert.Equal(State([InStock("b1", 10), Arriving("b2", 5, Later)], [Line("o1", 3, "b2")], [Backorder("o2", 1)]), result);
    }

    [Fact]
    public void StateAloneReportsEveryErrorInFileThenLineOrder()
    {
        var state = StateRows(
            [new RawBatch(3, "b1", "RED-CHAIR", "x", ""), new RawBatch(2, "b0", "RED-CHAIR", "1", "soon")],
            [new RawAllocation(2, "o1", "RED-CHAIR", "3", "b9")],
            [new RawOrderLine(2, "o2", "RED-CHAIR", "0")]);
        Assert.Equal(
            [
                "state/batches.csv:2: eta 'soon' is not a real date (yyyy-MM-dd, or empty for in stock)",
                "state/batches.csv:3: qty 'x' is not a non-negative integer",
                "state/allocations.csv:2: allocation names unknown batch 'b9'",
                "state/unallocated.csv:2: qty '0' is not a positive integer",
            ],
            Errors(StockValidator.ValidateState(state)));
    }
}
