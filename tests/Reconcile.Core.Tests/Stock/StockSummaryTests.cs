using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

public class StockSummaryTests
{
    private static Seq<StockAction> Actions(params StockAction[] actions) => actions.ToSeq();

    private sealed record UnknownAction : StockAction;

    [Fact]
    public void EveryKindOfActionIsCountedOnItsOwn()
    {
        var plan = Actions(
            new CreateBatch("n1", "RED-CHAIR", 5, null),
            new ChangeQuantity("b1", 10, 6),
            new ChangeQuantity("b2", 4, 8),
            new ChangeEta("b2", Soon, Later),
            new ChangeEta("b3", null, Soon),
            new ChangeEta("b4", Later, null),
            new RemoveBatch("old1"),
            new RemoveBatch("old2"),
            new RemoveBatch("old3"),
            new RemoveBatch("old4"),
            new Deallocate("o1", "RED-CHAIR", 4, "b1"),
            new Deallocate("o2", "RED-CHAIR", 1, "old1"),
            new Allocate("o1", "RED-CHAIR", 4, "b2"),
            new Allocate("o2", "RED-CHAIR", 1, "n1"),
            new Allocate("o3", "RED-CHAIR", 2, "n1"),
            new OutOfStock("o4", "RED-CHAIR", 9),
            new OutOfStock("o5", "RED-CHAIR", 9));
        var summary = StockSummary.Of(plan);
        Assert.Equal(new StockSummary(CreateBatch: 1, ChangeQuantity: 2, ChangeEta: 3, RemoveBatch: 4, Deallocate: 2, Allocate: 3, OutOfStock: 2), summary with { BatchesChanged = 0, Moved = 0 });
        Assert.Equal(2, summary.Moved); // o1 and o2 were deallocated, then allocated again
        Assert.False(summary.IsEmpty);
    }

    [Fact]
    public void BatchesChangedCountsEachBatchOnceWhateverChanges()
    {
        // b1: quantity only, b2: quantity and eta, b3: eta only.
        var plan = Actions(
            new ChangeQuantity("b1", 10, 6),
            new ChangeQuantity("b2", 4, 8),
            new ChangeEta("b2", Soon, Later),
            new ChangeEta("b3", null, Soon),
            new RemoveBatch("b4"),
            new CreateBatch("b5", "RED-CHAIR", 1, null));
        Assert.Equal(3, StockSummary.Of(plan).BatchesChanged);
    }

    [Fact]
    public void EmptyPlanIsEmpty()
    {
        var summary = StockSummary.Of([]);
        Assert.True(summary.IsEmpty);
        Assert.Equal(new StockSummary(0, 0, 0, 0, 0, 0, 0), summary);
    }

    public static TheoryData<StockAction> OneOfEachKind() =>
    [
        new ChangeQuantity("b1", 10, 6),
        new ChangeEta("b1", null, Soon),
        new RemoveBatch("b1"),
        new Deallocate("o1", "RED-CHAIR", 4, "b1"),
        new Allocate("o1", "RED-CHAIR", 4, "b1"),
        new OutOfStock("o1", "RED-CHAIR", 4),
    ];

    [Theory]
    [MemberData(nameof(OneOfEachKind))]
    public void PlanWithACreateAndAnyOtherActionIsNotEmpty(StockAction other)
    {
        // Two actions of different kinds: a sum that let one kind cancel another would say "empty".
        Assert.False(StockSummary.Of(Actions(new CreateBatch("n1", "RED-CHAIR", 1, null), other)).IsEmpty);
        Assert.False(StockSummary.Of(Actions(other)).IsEmpty);
    }

    [Fact]
    public void UnknownActionIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => StockSummary.Of(Actions(new UnknownAction())));
        Assert.StartsWith("unknown action UnknownAction", error.Message, StringComparison.Ordinal);
    }
}
