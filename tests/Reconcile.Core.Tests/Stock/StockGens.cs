using FsCheck;
using FsCheck.Fluent;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Core.Tests.Stock;

/// <summary>A feed and the state it is reconciled with, as the planner receives them.</summary>
public sealed record Scenario(Seq<Batch> Feed, StockState State, StockMode Mode)
{
    /// <summary>What the scenario was built from, so that a failing case can shrink.</summary>
    internal StockGens.ScenarioSpec? Spec { get; init; }

    public override string ToString() =>
        $"mode {Mode}\nfeed: {string.Join("; ", Feed)}\nbatches: {string.Join("; ", State.Batches)}\n" +
        $"allocations: {string.Join("; ", State.Allocations)}\nbackorders: {string.Join("; ", State.Backorders)}";
}

/// <summary>New order lines and the state they are allocated in.</summary>
public sealed record AllocationScenario(Seq<OrderLine> Orders, StockState State)
{
    internal StockGens.AllocationSpec? Spec { get; init; }

    public override string ToString() => $"orders: {string.Join("; ", Orders)}\nstate: {new Scenario([], State, StockMode.Full)}";
}

/// <summary>
/// Generators that aim at the hard cases: few skus (so batches compete), small quantities (so batches
/// are tight and lines fit exactly), several lines per batch, a few etas (so they are often equal),
/// backorders (some of skus with no batch), and feeds that drop, shrink and add batches.
/// </summary>
public static class StockGens
{
    private static readonly string[] Skus = ["RED-CHAIR", "TASTELESS-LAMP", "BLUE-SOFA"];
    private static readonly DateOnly?[] Etas = [null, null, new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 1), new DateOnly(2025, 3, 1)];

    internal sealed record BatchSpec(int Sku, int Qty, DateOnly? Eta);

    internal sealed record LineSpec(int Batch, int Qty);

    internal sealed record FeedChange(int Kind, int Qty, DateOnly? Eta);

    internal sealed record StateSpec(BatchSpec[] Batches, LineSpec[] Lines, int Extra, int[] ExtraSkus);

    internal sealed record ScenarioSpec(StateSpec State, FeedChange[] Changes, BatchSpec[] Added, bool Partial);

    internal sealed record AllocationSpec(StateSpec State, LineSpec[] Lines, int Repeat);

    private static Gen<BatchSpec> BatchSpecs =>
        from sku in Gen.Choose(0, Skus.Length - 1)
        from qty in Gen.Frequency((4, Gen.Choose(0, 10)), (1, Gen.Choose(0, 40)))
        from eta in Gen.Elements(Etas)
        select new BatchSpec(sku, qty, eta);

    private static Gen<LineSpec> LineSpecs =>
        from batch in Gen.Choose(0, 99)
        from qty in Gen.Choose(1, 6)
        select new LineSpec(batch, qty);

    // Kind: 0 keep, 1 new quantity, 2 new eta, 3 both, 4 drop from the feed.
    private static Gen<FeedChange> FeedChanges =>
        from kind in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)), (2, Gen.Constant(4)))
        from qty in Gen.Choose(0, 12)
        from eta in Gen.Elements(Etas)
        select new FeedChange(kind, qty, eta);

    /// <summary>A consistent state: lines are put on a batch of their choice only while it has room;
    /// the others become backorders, as the planner would have left them.</summary>
    private static Gen<StateSpec> StateSpecs =>
        from batches in BatchSpecs.ListOf().Select(l => l.Take(8).ToArray())
        from lines in LineSpecs.ListOf().Select(l => l.Take(20).ToArray())
        from extra in Gen.Choose(0, 3)
        from extraSkus in Gen.Choose(0, Skus.Length).ArrayOf(3)
        select new StateSpec(batches, lines, extra, extraSkus);

    public static Gen<StockState> States => StateSpecs.Select(BuildState);

    public static Gen<Scenario> ScenarioGen =>
        from state in StateSpecs
        from changes in FeedChanges.ArrayOf(8)
        from added in BatchSpecs.ListOf().Select(l => l.Take(4).ToArray())
        from partial in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select Build(new ScenarioSpec(state, changes, added, partial));

    public static Gen<AllocationScenario> AllocationScenarioGen =>
        from state in StateSpecs
        from lines in LineSpecs.ListOf().Select(l => l.Take(10).ToArray())
        from repeat in Gen.Choose(0, 2)
        select Build(new AllocationSpec(state, lines, repeat));

    /// <summary>Scenarios that shrink to few batches, lines and changes when a property fails.</summary>
    public static Arbitrary<Scenario> Scenarios { get; } =
        Arb.From(ScenarioGen, s => s.Spec is null ? [] : Shrink(s.Spec).Select(Build));

    public static Arbitrary<AllocationScenario> AllocationScenarios { get; } =
        Arb.From(AllocationScenarioGen, s => s.Spec is null ? [] : Shrink(s.Spec).Select(Build));

    private static Scenario Build(ScenarioSpec spec)
    {
        var state = BuildState(spec.State);
        return new Scenario(BuildFeed(state, spec.Changes, spec.Added), state, spec.Partial ? StockMode.Partial : StockMode.Full) { Spec = spec };
    }

    private static AllocationScenario Build(AllocationSpec spec)
    {
        var state = BuildState(spec.State);
        return new AllocationScenario(BuildOrders(state, spec.Lines, spec.Repeat), state) { Spec = spec };
    }

    private static IEnumerable<ScenarioSpec> Shrink(ScenarioSpec spec)
    {
        if (spec.Partial)
        {
            yield return spec with { Partial = false };
        }
        foreach (var state in Shrink(spec.State))
        {
            yield return spec with { State = state };
        }
        foreach (var added in WithoutOne(spec.Added))
        {
            yield return spec with { Added = added };
        }
        for (var i = 0; i < spec.Changes.Length; i++)
        {
            if (spec.Changes[i].Kind != 0)
            {
                var changes = spec.Changes.ToArray();
                changes[i] = changes[i] with { Kind = 0 };
                yield return spec with { Changes = changes };
            }
        }
    }

    private static IEnumerable<AllocationSpec> Shrink(AllocationSpec spec)
    {
        if (spec.Repeat > 0)
        {
            yield return spec with { Repeat = spec.Repeat - 1 };
        }
        foreach (var state in Shrink(spec.State))
        {
            yield return spec with { State = state };
        }
        foreach (var lines in WithoutOne(spec.Lines))
        {
            yield return spec with { Lines = lines };
        }
    }

    private static IEnumerable<StateSpec> Shrink(StateSpec spec)
    {
        if (spec.Extra > 0)
        {
            yield return spec with { Extra = spec.Extra - 1 };
        }
        foreach (var batches in WithoutOne(spec.Batches))
        {
            yield return spec with { Batches = batches };
        }
        foreach (var lines in WithoutOne(spec.Lines))
        {
            yield return spec with { Lines = lines };
        }
    }

    private static IEnumerable<T[]> WithoutOne<T>(T[] items)
    {
        for (var i = 0; i < items.Length; i++)
        {
            yield return [.. items[..i], .. items[(i + 1)..]];
        }
    }

    private static StockState BuildState(StateSpec spec)
    {
        var (specs, lineSpecs, extra, extraSkus) = (spec.Batches, spec.Lines, spec.Extra, spec.ExtraSkus);
        var batches = specs.Select((s, i) => new Batch($"b{i}", Skus[s.Sku], s.Qty, s.Eta)).ToArray();
        var room = batches.Select(b => b.Qty).ToArray();
        var allocations = new List<Allocation>();
        var backorders = new List<OrderLine>();
        for (var i = 0; i < lineSpecs.Length; i++)
        {
            var line = lineSpecs[i];
            if (batches.Length == 0)
            {
                backorders.Add(new OrderLine($"o{i}", Skus[line.Batch % Skus.Length], line.Qty));
                continue;
            }
            var target = line.Batch % batches.Length;
            if (line.Qty <= room[target])
            {
                room[target] -= line.Qty;
                allocations.Add(new Allocation($"o{i}", batches[target].Sku, line.Qty, batches[target].Ref));
            }
            else
            {
                backorders.Add(new OrderLine($"o{i}", batches[target].Sku, line.Qty));
            }
        }
        // Backorders of any sku, including one no batch has.
        for (var i = 0; i < extra; i++)
        {
            var sku = extraSkus[i] < Skus.Length ? Skus[extraSkus[i]] : "GREEN-CURTAIN";
            backorders.Add(new OrderLine($"x{i}", sku, 1 + i));
        }
        return new StockState(batches.ToSeq(), allocations.ToSeq(), backorders.ToSeq());
    }

    private static Seq<Batch> BuildFeed(StockState state, FeedChange[] changes, BatchSpec[] added)
    {
        var feed = new List<Batch>();
        var i = 0;
        foreach (var batch in state.Batches)
        {
            var change = changes[i++ % changes.Length];
            switch (change.Kind)
            {
                case 0:
                    feed.Add(batch);
                    break;
                case 1:
                    feed.Add(batch with { Qty = change.Qty });
                    break;
                case 2:
                    feed.Add(batch with { Eta = change.Eta });
                    break;
                case 3:
                    feed.Add(batch with { Qty = change.Qty, Eta = change.Eta });
                    break;
                default:
                    break;
            }
        }
        // New references interleave with old ones ordinally ("b" < "c", "B" < "b").
        feed.AddRange(added.Select((s, j) => new Batch(j % 2 == 0 ? $"c{j}" : $"B{j}", Skus[s.Sku], s.Qty, s.Eta)));
        // The feed's row order must not matter: reverse it half of the time.
        if (changes.Length > 0 && changes[0].Qty % 2 == 0)
        {
            feed.Reverse();
        }
        return feed.ToSeq();
    }

    private static Seq<OrderLine> BuildOrders(StockState state, LineSpec[] specs, int repeat)
    {
        var skus = state.Batches.Select(b => b.Sku).Distinct().ToArray();
        if (skus.Length == 0)
        {
            return [];
        }
        var orders = specs.Select((s, i) => new OrderLine($"n{i}", skus[s.Batch % skus.Length], s.Qty)).ToList();
        // Lines that are already allocated or backordered, with their own quantity: they must be left alone.
        orders.AddRange(state.Allocations.Take(repeat).Select(a => a.Line));
        orders.AddRange(state.Backorders.Where(b => skus.Contains(b.Sku)).Take(repeat));
        return orders.ToSeq();
    }
}
