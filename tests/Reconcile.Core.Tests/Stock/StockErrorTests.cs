using Reconcile.Core.Stock;
using Xunit;

namespace Reconcile.Core.Tests.Stock;

public class StockErrorTests
{
    [Fact]
    public void ErrorOnALineNamesFileAndLine() =>
        Assert.Equal("feed.csv:1: qty is empty", new StockError("feed.csv", 1, "qty is empty").ToString());

    [Fact]
    public void ErrorOnTheWholeFileHasNoLineNumber() =>
        Assert.Equal("feed.csv: no header", new StockError("feed.csv", 0, "no header").ToString());
}
