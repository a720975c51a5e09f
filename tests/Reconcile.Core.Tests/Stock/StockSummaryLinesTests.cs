using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;

namespace Reconcile.Core.Tests.Stock;

/// <summary>How the summary tells lines that moved from lines newly allocated.</summary>
public class StockSummaryLinesTests
{
    private static StockSummary Of(params StockAction[] actions) => StockSummary.Of(actions.ToSeq());

    [Fact]
    public void ALineDeallocatedThenAllocatedElsewhereMoved()
    {
        var summary = Of(
            new Deallocate("o1", "S", 2, "b1"),
            new Allocate("o1", "S", 2, "b2"),
            new Allocate("o2", "S", 1, "b2"));
        Assert.Equal((1, 1), (summary.Moved, summary.NewlyAllocated));
    }

    [Fact]
    public void ALineDeallocatedThatFitsNowhereIsBackorderedNotMoved()
    {
        var summary = Of(new Deallocate("o1", "S", 2, "b1"), new OutOfStock("o1", "S", 2));
        Assert.Equal((0, 0, 1), (summary.Moved, summary.NewlyAllocated, summary.OutOfStock));
    }

    [Fact]
    public void TheSameOrderOfAnotherSkuIsAnotherLine()
    {
        var summary = Of(new Deallocate("o1", "S", 2, "b1"), new Allocate("o1", "T", 2, "b9"));
        Assert.Equal((0, 1), (summary.Moved, summary.NewlyAllocated));
    }

    [Fact]
    public void BackordersFilledAndNewOrdersPlacedAreNewlyAllocated()
    {
        var summary = Of(new Allocate("o1", "S", 2, "b1"), new Allocate("o2", "S", 1, "b1"), new OutOfStock("o3", "S", 9));
        Assert.Equal((0, 2, 1), (summary.Moved, summary.NewlyAllocated, summary.OutOfStock));
    }
}
