using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

public class AllocationRuleTests
{
    private static int Compare(Batch? x, Batch? y) => Math.Sign(AllocationRule.Instance.Compare(x, y));

    [Fact]
    public void NullSortsFirstAndEqualsOnlyItself()
    {
        var b = InStock("b1", 1);
        Assert.Equal(0, Compare(null, null));
        Assert.Equal(-1, Compare(null, b));
        Assert.Equal(1, Compare(b, null));
        Assert.Equal(0, Compare(b, b));
    }

    [Fact]
    public void InStockThenEarliestEtaThenOrdinalReference()
    {
        Assert.Equal(-1, Compare(InStock("z", 1), Arriving("a", 1, Soon)));
        Assert.Equal(1, Compare(Arriving("a", 1, Soon), InStock("z", 1)));
        Assert.Equal(-1, Compare(Arriving("z", 1, Soon), Arriving("a", 1, Later)));
        Assert.Equal(-1, Compare(Arriving("B", 1, Soon), Arriving("a", 1, Soon)));
        Assert.Equal(1, Compare(InStock("b", 1), InStock("B", 1)));
        Assert.Equal(0, Compare(InStock("b", 1), InStock("b", 2)));
    }
}
