using FsCheck;
using FsCheck.Fluent;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Core.Tests.Stock;

/// <summary>A feed and the state it is reconciled with, as the planner receives them.</summary>
public sealed record Scenario(Seq<Batch> Feed, StockState State, StockMode Mode)
{
    public override string ToString() =>
        $"mode {Mode}\nfeed: {string.Join("; ", Feed)}\nbatches: {string.Join("; ", State.Batches)}\n" +
        $"allocations: {string.Join("; ", State.Allocations)}\nbackorders: {string.Join("; ", State.Backorders)}";
}

/// <summary>New order lines and the state they are allocated in.</summary>
public sealed record AllocationScenario(Seq<OrderLine> Orders, StockState State)
{
    public override string ToString() => $"orders: {string.Join("; ", Orders)}\nstate: {new Scenario([], State, StockMode.Full)}";
}

/// <summary>
/// Generators that aim at the hard cases: few skus (so batches compete), small quantities (so batches
/// are tight and lines fit exactly), several lines per batch, a few etas (so they are often equal),
/// backorders (some of skus with no batch), and feeds that drop, shrink and add batches.
/// </summary>
public static class Gens
{
    private static readonly string[] Skus = ["RED-CHAIR", "TASTELESS-LAMP", "BLUE-SOFA"];
    private static readonly DateOnly?[] Etas = [null, null, new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 1), new DateOnly(2025, 3, 1)];

    private sealed record BatchSpec(int Sku, int Qty, DateOnly? Eta);

    private sealed record LineSpec(int Batch, int Qty);

    private sealed record FeedChange(int Kind, int Qty, DateOnly? Eta);

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
    public static Gen<StockState> States =>
        from batches in BatchSpecs.ListOf().Select(l => l.Take(8).ToArray())
        from lines in LineSpecs.ListOf().Select(l => l.Take(20).ToArray())
        from extra in Gen.Choose(0, 3)
        from extraSkus in Gen.Choose(0, Skus.Length).ArrayOf(3)
        select BuildState(batches, lines, extra, extraSkus);

    public static Gen<Scenario> Scenarios =>
        from state in States
        from changes in FeedChanges.ArrayOf(8)
        from added in BatchSpecs.ListOf().Select(l => l.Take(4).ToArray())
        from partial in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Scenario(BuildFeed(state, changes, added), state, partial ? StockMode.Partial : StockMode.Full);

    public static Gen<AllocationScenario> AllocationScenarios =>
        from state in States
        from lines in LineSpecs.ListOf().Select(l => l.Take(10).ToArray())
        from repeat in Gen.Choose(0, 2)
        select new AllocationScenario(BuildOrders(state, lines, repeat), state);

    private static StockState BuildState(BatchSpec[] specs, LineSpec[] lineSpecs, int extra, int[] extraSkus)
    {
        var batches = specs.Select((s, i) => new Batch($"b{i}", Skus[s.Sku], s.Qty, s.Eta)).ToArray();
        var room = batches.Select(b => b.Qty).ToArray();
        var allocations = new List<Allocation>();
        var backorders = new List<OrderLine>();
        for (var i = 0; i < lineSpecs.Length; i++)
        {
            var spec = lineSpecs[i];
            if (batches.Length == 0)
            {
                backorders.Add(new OrderLine($"o{i}", Skus[spec.Batch % Skus.Length], spec.Qty));
                continue;
            }
            var target = spec.Batch % batches.Length;
            if (spec.Qty <= room[target])
            {
                room[target] -= spec.Qty;
                allocations.Add(new Allocation($"o{i}", batches[target].Sku, spec.Qty, batches[target].Ref));
            }
            else
            {
                backorders.Add(new OrderLine($"o{i}", batches[target].Sku, spec.Qty));
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
