using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

public class StockGuardTests
{
    private static Seq<StockAction> Actions(params StockAction[] actions) => actions.ToSeq();

    private static Seq<StockAction> Removals(int count) =>
        Enumerable.Range(1, count).Select(i => (StockAction)new RemoveBatch($"b{i}")).ToSeq();

    [Fact]
    public void EmptyFeedInFullModeIsRefused()
    {
        var refusal = StockGuard.Refusal([], StockMode.Full, null, Removals(3));
        Assert.Equal(
            "the feed has no batches; in full mode that would remove every batch (use --mode partial if that is meant); nothing was changed",
            refusal.Map(p => p.Message).IfNone("none"));
    }

    [Fact]
    public void EmptyFeedInPartialModeMayGoAhead() =>
        Assert.True(StockGuard.Refusal([], StockMode.Partial, null, []).IsNone);

    [Fact]
    public void FeedWithBatchesInFullModeMayGoAhead() =>
        Assert.True(StockGuard.Refusal(Feed(InStock("b1", 1)), StockMode.Full, null, Removals(3)).IsNone);

    [Fact]
    public void EmptyFeedInFullModeIsRefusedEvenWithinTheRemovalLimit() =>
        Assert.True(StockGuard.Refusal([], StockMode.Full, 100, []).IsSome);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    public void RemovalsUpToTheLimitAreAllowed(int limit, int removals) =>
        Assert.True(StockGuard.Refusal(Feed(InStock("k", 1)), StockMode.Full, limit, Removals(removals)).IsNone);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    [InlineData(2, 7)]
    public void RemovalsBeyondTheLimitAreRefusedWithBothNumbers(int limit, int removals)
    {
        var refusal = StockGuard.Refusal(Feed(InStock("k", 1)), StockMode.Full, limit, Removals(removals));
        Assert.Equal(
            new Problem(ProblemKind.Refused, $"the plan removes {removals} batches, more than --max-remove {limit}; nothing was changed"),
            refusal.IfNone(Problem.BadInput("none")));
    }

    [Fact]
    public void WithoutALimitAnyNumberOfRemovalsIsAllowed() =>
        Assert.True(StockGuard.Refusal(Feed(InStock("k", 1)), StockMode.Full, null, Removals(50)).IsNone);

    [Fact]
    public void OnlyRemovalsCountTowardsTheLimit()
    {
        var plan = Actions(new CreateBatch("n", "RED-CHAIR", 1, null), new ChangeQuantity("k", 1, 2), new RemoveBatch("b1"));
        Assert.True(StockGuard.Refusal(Feed(InStock("k", 2)), StockMode.Full, 1, plan).IsNone);
    }
}
