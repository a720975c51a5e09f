using LanguageExt;
using Reconcile.Core.Stock;
using Xunit;
using static Reconcile.Core.Tests.Stock.Some;

namespace Reconcile.Core.Tests.Stock;

/// <summary>The simulator must refuse every step that does not fit the state, so that the properties catch a bad plan.</summary>
public class StockSimulatorTests
{
    private static Seq<StockAction> Actions(params StockAction[] actions) => actions.ToSeq();

    private sealed record UnknownAction : StockAction;

    private static readonly StockState Start = State(
        [InStock("b1", 10), Arriving("b2", 5, Soon), InStock("t1", 3, "TASTELESS-LAMP")],
        [Line("o1", 4, "b1")],
        [Backorder("o2", 7)]);

    private static string Refused(params StockAction[] plan) =>
        Assert.Throws<InvalidOperationException>(() => StockSimulator.Apply(Start, plan.ToSeq())).Message;

    [Fact]
    public void FittingPlanIsApplied()
    {
        var after = StockSimulator.Apply(Start, Actions(
            new ChangeQuantity("b1", 10, 12),
            new ChangeEta("b2", Soon, Later),
            new Deallocate("o1", "RED-CHAIR", 4, "b1"),
            new Allocate("o1", "RED-CHAIR", 4, "b2"),
            new Allocate("o2", "RED-CHAIR", 7, "b1"),
            new CreateBatch("b3", "RED-CHAIR", 1, null),
            new OutOfStock("o3", "RED-CHAIR", 9)));
        Assert.Equal(
            State(
                [InStock("b1", 12), Arriving("b2", 5, Later), InStock("t1", 3, "TASTELESS-LAMP"), InStock("b3", 1)],
                [Line("o1", 4, "b2"), Line("o2", 7, "b1")],
                [Backorder("o3", 9)]),
            after);
    }

    [Fact]
    public void QuantityChangeFromAnotherQuantityIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at ChangeQuantity", Refused(new ChangeQuantity("b1", 9, 12)), StringComparison.Ordinal);

    [Fact]
    public void EtaChangeFromAnotherEtaIsRefused()
    {
        Assert.StartsWith("the plan does not fit the state at ChangeEta", Refused(new ChangeEta("b2", Later, null)), StringComparison.Ordinal);
        Assert.StartsWith("the plan does not fit the state at ChangeEta", Refused(new ChangeEta("b1", Soon, Later)), StringComparison.Ordinal);
    }

    [Fact]
    public void ChangeOfAnUnknownBatchIsRefused() =>
        Assert.Equal("nope is not there", Refused(new ChangeQuantity("nope", 1, 2)));

    [Fact]
    public void DeallocationWithAnotherQuantityIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at Deallocate", Refused(new Deallocate("o1", "RED-CHAIR", 3, "b1")), StringComparison.Ordinal);

    [Fact]
    public void DeallocationFromAnotherBatchIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at Deallocate", Refused(new Deallocate("o1", "RED-CHAIR", 4, "b2")), StringComparison.Ordinal);

    [Fact]
    public void DeallocationOfALineThatIsNotAllocatedIsRefused() =>
        Assert.Equal("(o2, RED-CHAIR) is not there", Refused(new Deallocate("o2", "RED-CHAIR", 7, "b1")));

    [Fact]
    public void AllocationToAnUnknownBatchIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at Allocate", Refused(new Allocate("o2", "RED-CHAIR", 7, "nope")), StringComparison.Ordinal);

    [Fact]
    public void AllocationToABatchOfAnotherSkuIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at Allocate", Refused(new Allocate("o2", "RED-CHAIR", 7, "t1")), StringComparison.Ordinal);

    [Fact]
    public void SecondAllocationOfTheSameLineIsRefused() =>
        Assert.Equal("(o1, RED-CHAIR) is already there", Refused(new Allocate("o1", "RED-CHAIR", 4, "b2")));

    [Fact]
    public void OutOfStockOfAnAllocatedLineIsRefused() =>
        Assert.StartsWith("the plan does not fit the state at OutOfStock", Refused(new OutOfStock("o1", "RED-CHAIR", 4)), StringComparison.Ordinal);

    [Fact]
    public void CreationOfAKnownReferenceIsRefused() =>
        Assert.Equal("b2 is already there", Refused(new CreateBatch("b2", "RED-CHAIR", 1, null)));

    [Fact]
    public void RemovalOfAnUnknownReferenceIsRefused() =>
        Assert.Equal("nope is not there", Refused(new RemoveBatch("nope")));

    [Fact]
    public void RemovedBatchCanNotBeRemovedAgain() =>
        Assert.Equal("b1 is not there", Refused(new RemoveBatch("b1"), new RemoveBatch("b1")));

    [Fact]
    public void UnknownActionIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => StockSimulator.Apply(Start, Actions(new UnknownAction())));
        Assert.StartsWith("unknown action UnknownAction", error.Message, StringComparison.Ordinal);
    }
}
