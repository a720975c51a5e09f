using Reconcile.Core.Stock;
using Xunit;

namespace Reconcile.Core.Tests.Stock;

/// <summary>The planner gives, action for action, the plan of the plain model of the SPEC's rules.</summary>
public class StockPlannerModelProperties
{
    private const int Cases = 600;

    [Fact]
    public void ThePlannerAndThePlainModelGiveTheSamePlan() =>
        PropertyRun.Check(
            StockGens.Scenarios,
            s => StockPlanner.Plan(s.Feed, s.State, s.Mode).SequenceEqual(ModelStockPlanner.Plan(s.Feed, s.State, s.Mode)),
            Cases);

    [Fact]
    public void AllocationAndThePlainModelGiveTheSamePlan() =>
        PropertyRun.Check(
            StockGens.AllocationScenarios,
            s => StockPlanner.PlanAllocation(s.Orders, s.State).SequenceEqual(ModelStockPlanner.PlanAllocation(s.Orders, s.State)),
            Cases);
}
