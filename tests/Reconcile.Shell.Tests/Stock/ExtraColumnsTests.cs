using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>Columns of the state files that reconcile does not use are kept when it rewrites them.</summary>
public sealed class ExtraColumnsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void RewrittenStateFilesKeepTheirExtraColumnsRowByRow()
    {
        var state = temp.Combine("state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "batches.csv"), """
            warehouse,ref,sku,qty,eta,note
            north,b1,CHAIR,10,,"fragile, handle with care"
            south,b2,CHAIR,5,2025-03-01,
            east,gone,LAMP,4,,to be dropped

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(state, "allocations.csv"), "orderid,sku,qty,batchref,customer\no1,CHAIR,6,b1,ACME\no2,CHAIR,4,b1,Globex\n");
        File.WriteAllText(Path.Combine(state, "unallocated.csv"), "orderid,sku,qty,customer\no3,CHAIR,2,Initech\n");
        // b1 shrinks to 6: o2 moves to b2; b3 arrives and takes the backorder o3 (b2 has 1 left).
        var feed = temp.Combine("feed.csv");
        File.WriteAllText(feed, "ref,sku,qty,eta\nb1,CHAIR,6,\nb2,CHAIR,5,2025-03-01\nb3,CHAIR,2,2025-04-01\n");

        var run = CliRun.Of("stock", feed, state);
        Assert.True(run.ExitCode == 0, run.ToString());

        Assert.Equal(
            [
                "warehouse,ref,sku,qty,eta,note",
                "north,b1,CHAIR,6,,\"fragile, handle with care\"",
                "south,b2,CHAIR,5,2025-03-01,",
                ",b3,CHAIR,2,2025-04-01,",
            ],
            File.ReadAllLines(Path.Combine(state, "batches.csv")));
        Assert.Equal(
            [
                "orderid,sku,qty,batchref,customer",
                "o1,CHAIR,6,b1,ACME",
                "o2,CHAIR,4,b2,Globex",
                "o3,CHAIR,2,b3,Initech",
            ],
            File.ReadAllLines(Path.Combine(state, "allocations.csv")));
        Assert.Equal(["orderid,sku,qty,customer"], File.ReadAllLines(Path.Combine(state, "unallocated.csv")));
        Assert.Equal(0, CliRun.Of("stock", "--check", feed, state).ExitCode);
    }
}
