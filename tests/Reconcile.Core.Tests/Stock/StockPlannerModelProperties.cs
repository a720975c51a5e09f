using FsCheck.Xunit;
using Reconcile.Core.Stock;

namespace Reconcile.Core.Tests.Stock;

/// <summary>The planner gives, action for action, the plan of the plain model of the SPEC's rules.</summary>
[Properties(Arbitrary = new[] { typeof(StockGens) })]
public class StockPlannerModelProperties
{
    private const int Cases = 600;

    [ReconcileProperty(Cases)]
    public bool ThePlannerAndThePlainModelGiveTheSamePlan(Scenario s) =>
        StockPlanner.Plan(s.Feed, s.State, s.Mode).SequenceEqual(ModelStockPlanner.Plan(s.Feed, s.State, s.Mode));

    [ReconcileProperty(Cases)]
    public bool AllocationAndThePlainModelGiveTheSamePlan(AllocationScenario s) =>
        StockPlanner.PlanAllocation(s.Orders, s.State).SequenceEqual(ModelStockPlanner.PlanAllocation(s.Orders, s.State));
}
