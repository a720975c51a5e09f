using System.Text;
using System.Text.Json;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

public sealed class StockCommandTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string sample;

    public StockCommandTests()
    {
        sample = temp.CopySample("stock", "stock");
    }

    private string Feed => Path.Combine(sample, "feed.csv");

    private string State => Path.Combine(sample, "state");

    private string StateFile(string name) => Path.Combine(State, name);

    public void Dispose() => temp.Dispose();

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(State, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(State, f), File.ReadAllBytes, StringComparer.Ordinal);

    private static void AssertSame(Dictionary<string, byte[]> before, Dictionary<string, byte[]> after)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
        }
    }

    private static string[] Lines(string text) => PlanText.Lines(text);

    [Fact]
    public void SamplePlanShowsEveryKindOfAction()
    {
        var run = CliRun.Of("stock", Feed, State, "--dry-run");
        Assert.True(run.ExitCode == 0, run.ToString());
        // Worked out by hand from samples/stock (see the sample's README text): batch-001 shrinks 10 -> 7,
        // keeping order-1 (6) and moving order-2 (3) to batch-002; batch-004 disappears and its only line
        // fits nowhere; the new batch-006 fills the old TASTELESS-LAMP backorder.
        Assert.Equal(
            [
                "create_batch batch-006 TASTELESS-LAMP qty 10 eta 2025-04-01",
                "change_quantity batch-001 qty 10 → 7",
                "change_eta batch-002 eta 2025-03-01 → eta 2025-02-15",
                "deallocate order-2 RED-CHAIR qty 3 from batch-001",
                "deallocate order-4 BLUE-SOFA qty 3 from batch-004",
                "remove_batch batch-004",
                "allocate order-2 RED-CHAIR qty 3 to batch-002",
                "out_of_stock order-4 BLUE-SOFA qty 3 backordered",
                "allocate order-7 TASTELESS-LAMP qty 4 to batch-006",
                "summary: batches 1 created, 2 changed, 1 removed; lines 1 moved, 1 newly allocated, 1 backordered",
            ],
            Lines(run.Stdout));
    }

    [Fact]
    public void DryRunChangesNothing()
    {
        var before = Snapshot();
        var run = CliRun.Of("stock", Feed, State, "-n");
        Assert.Equal(0, run.ExitCode);
        AssertSame(before, Snapshot());
    }

    [Fact]
    public void ApplyingThenPlanningAgainGivesAnEmptyPlan()
    {
        var applied = CliRun.Of("stock", Feed, State);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(
            "ref,sku,qty,eta\nbatch-001,RED-CHAIR,7,\nbatch-002,RED-CHAIR,20,2025-02-15\nbatch-003,TASTELESS-LAMP,5,\nbatch-005,SMALL-TABLE,8,\nbatch-006,TASTELESS-LAMP,10,2025-04-01\n",
            File.ReadAllText(StateFile("batches.csv")));
        Assert.Equal("orderid,sku,qty\norder-6,GREEN-CURTAIN,5\norder-4,BLUE-SOFA,3\n", File.ReadAllText(StateFile("unallocated.csv")));
        Assert.False(Directory.Exists(StateFile(".reconcile-pending")));

        var again = CliRun.Of("stock", Feed, State, "--format", "json");
        Assert.Equal(0, again.ExitCode);
        using var json = JsonDocument.Parse(again.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("actions").GetArrayLength());
    }

    [Fact]
    public void JournalRecordsTimeInputsAndActions()
    {
        var feedSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Feed)));
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2)).AddTicks(1234));
        Assert.Equal(0, CliRun.At(clock, "stock", Feed, State).ExitCode);
        Assert.Equal(0, CliRun.At(clock, "stock", Feed, State).ExitCode); // nothing to do: no second entry

        var lines = File.ReadAllLines(StateFile("journal.jsonl"));
        var entry = Assert.Single(lines);
        using var json = JsonDocument.Parse(entry);
        var root = json.RootElement;
        Assert.Equal("2026-03-04T03:06:07.8901234Z", root.GetProperty("time").GetString());
        var inputs = root.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal(Feed, inputs[0].GetProperty("file").GetString());
        Assert.Equal(feedSha, inputs[0].GetProperty("sha256").GetString());
        Assert.Equal(4, inputs.Count);
        Assert.Equal(9, root.GetProperty("actions").GetArrayLength());
    }

    [Fact]
    public void JsonOutputUsesTheSpecOpNamesAndFields()
    {
        var run = CliRun.Of("stock", Feed, State, "-n", "--format", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var actions = json.RootElement.GetProperty("actions").EnumerateArray().ToList();
        string Fields(JsonElement a) => string.Join(",", a.EnumerateObject().Select(p => p.Name));
        var byOp = actions.GroupBy(a => a.GetProperty("op").GetString()!).ToDictionary(g => g.Key, g => Fields(g.First()));
        Assert.Equal("op,ref,sku,qty,eta", byOp["create_batch"]);
        Assert.Equal("op,ref,from,to", byOp["change_quantity"]);
        Assert.Equal("op,ref,from,to", byOp["change_eta"]);
        Assert.Equal("op,ref", byOp["remove_batch"]);
        Assert.Equal("op,orderid,sku,qty,batchref", byOp["deallocate"]);
        Assert.Equal("op,orderid,sku,qty,batchref", byOp["allocate"]);
        Assert.Equal("op,orderid,sku,qty", byOp["out_of_stock"]);
        Assert.Equal("2025-04-01", actions[0].GetProperty("eta").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("out_of_stock").GetInt32());
    }

    [Fact]
    public void BadFeedIsReportedRowByRowAndChangesNothing()
    {
        File.WriteAllText(Feed, "ref,sku,qty,eta\nbatch-001,RED-CHAIR,7,\nbatch-002,BLUE-SOFA,20,\n,RED-CHAIR,1,\nbatch-009,RED-CHAIR,-1,2025-02-30\nbatch-001,RED-CHAIR,1,\n");
        var before = Snapshot();
        var run = CliRun.Of("stock", Feed, State);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var errors = Lines(run.Stderr);
        Assert.Equal(
            [
                $"{Feed}:3: batch 'batch-002' has sku 'BLUE-SOFA' here but 'RED-CHAIR' at {StateFile("batches.csv")}:3; a batch's sku never changes",
                $"{Feed}:4: ref is empty",
                $"{Feed}:5: qty '-1' is not a non-negative integer",
                $"{Feed}:5: eta '2025-02-30' is not a real date (yyyy-MM-dd, or empty for in stock)",
                $"{Feed}:6: duplicate ref 'batch-001': also on line 2",
                "reconcile: 5 bad rows in the input; nothing was changed",
            ],
            errors);
        AssertSame(before, Snapshot());
    }

    [Fact]
    public void LineNumbersArePhysicalLinesAcrossQuotedLineBreaksAndBlankLines()
    {
        File.WriteAllText(Feed, "ref,sku,qty,eta\n\"batch-\n001\",RED-CHAIR,7,\n\nbatch-002,RED-CHAIR,x,\nbatch-003,\"oops\"x,1,\nbatch-005,SMALL-TABLE,8\n");
        var run = CliRun.Of("stock", Feed, State, "-n");
        Assert.Equal(2, run.ExitCode);
        var errors = Lines(run.Stderr);
        Assert.Equal($"{Feed}:5: qty 'x' is not a non-negative integer", errors[0]);
        Assert.StartsWith($"{Feed}:6: malformed quoting", errors[1], StringComparison.Ordinal);
        Assert.Equal($"{Feed}:7: 3 fields, but the header has 4", errors[2]);
    }

    [Fact]
    public void BadStateFilesAreReportedWithTheirLines()
    {
        File.WriteAllText(StateFile("allocations.csv"), "orderid,sku,qty,batchref\norder-1,RED-CHAIR,6,batch-001\norder-2,RED-CHAIR,3,batch-404\norder-3,BLUE-SOFA,2,batch-003\n");
        File.WriteAllText(StateFile("unallocated.csv"), "orderid,sku,qty\norder-1,RED-CHAIR,6\n");
        var run = CliRun.Of("stock", Feed, State);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            [
                $"{StateFile("allocations.csv")}:3: allocation names unknown batch 'batch-404'",
                $"{StateFile("allocations.csv")}:4: allocation has sku 'BLUE-SOFA' but batch 'batch-003' holds 'TASTELESS-LAMP' ({StateFile("batches.csv")}:4)",
                $"{StateFile("unallocated.csv")}:2: duplicate order line (order-1, RED-CHAIR): also at {StateFile("allocations.csv")}:2",
            ],
            Lines(run.Stderr).SkipLast(1));
    }

    [Fact]
    public void MissingColumnAndMissingBatchesFileAreBadInput()
    {
        File.WriteAllText(Feed, "ref,sku,eta\nbatch-001,RED-CHAIR,\n");
        File.Delete(StateFile("batches.csv"));
        var run = CliRun.Of("stock", Feed, State);
        Assert.Equal(2, run.ExitCode);
        var errors = Lines(run.Stderr);
        Assert.Equal($"{Feed}:1: missing required column 'qty' (the header needs ref,sku,qty,eta)", errors[0]);
        Assert.Equal($"{StateFile("batches.csv")}: file not found", errors[1]);
    }

    [Fact]
    public void BomCrlfQuotedFieldsReorderedAndExtraColumnsAreAccepted()
    {
        var text = "eta,qty,note,sku,ref\r\n,7,\"shrunk, see ticket\",RED-CHAIR,batch-001\r\n2025-02-15,20,,RED-CHAIR,batch-002\r\n,5,,TASTELESS-LAMP,batch-003\r\n,8,,SMALL-TABLE,batch-005\r\n2025-04-01,10,x,TASTELESS-LAMP,batch-006\r\n,2,,\"CHAIR, RED\",batch-007\r\n";
        File.WriteAllBytes(Feed, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);
        var run = CliRun.Of("stock", Feed, State, "-n");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = Lines(run.Stdout);
        Assert.Contains("create_batch batch-007 CHAIR, RED qty 2 in stock", lines);
        Assert.Contains("change_quantity batch-001 qty 10 → 7", lines);
        Assert.Equal("summary: batches 2 created, 2 changed, 1 removed; lines 1 moved, 1 newly allocated, 1 backordered", lines[^1]);

        Assert.Equal(0, CliRun.Of("stock", Feed, State).ExitCode);
        Assert.Contains("batch-007,\"CHAIR, RED\",2,\n", File.ReadAllText(StateFile("batches.csv")), StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Of("stock", Feed, State, "-n").ExitCode);
    }

    [Fact]
    public void EmptyFeedIsRefusedInFullModeButNotInPartialMode()
    {
        File.WriteAllText(Feed, "ref,sku,qty,eta\n");
        var before = Snapshot();
        var full = CliRun.Of("stock", Feed, State);
        Assert.Equal(3, full.ExitCode);
        Assert.Contains("the feed has no batches", full.Stderr, StringComparison.Ordinal);
        AssertSame(before, Snapshot());

        var partial = CliRun.Of("stock", Feed, State, "--mode", "partial");
        Assert.Equal(0, partial.ExitCode);
        Assert.Equal("summary: nothing to do; STATE already agrees (0 actions)", Lines(partial.Stdout).Single());
    }

    [Fact]
    public void MaxRemoveRefusesAPlanThatRemovesMore()
    {
        var before = Snapshot();
        var refused = CliRun.Of("stock", Feed, State, "--max-remove", "0");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("removes 1 batches, more than --max-remove 0", refused.Stderr, StringComparison.Ordinal);
        AssertSame(before, Snapshot());
        Assert.Equal(0, CliRun.Of("stock", Feed, State, "--max-remove", "1").ExitCode);
    }

    [Fact]
    public void PartialModeLeavesAbsentBatchesAlone()
    {
        var run = CliRun.Of("stock", Feed, State, "--mode", "partial", "-n");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("remove_batch", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedButUnfinishedRunIsRolledForwardAndUncommittedOneRolledBack()
    {
        // A crash after the commit point: the staged batches.csv is the truth, even for a dry run.
        var pending = Directory.CreateDirectory(StateFile(".reconcile-pending")).FullName;
        File.WriteAllText(Path.Combine(pending, "batches.csv"), "ref,sku,qty,eta\nbatch-001,RED-CHAIR,10,\nbatch-002,RED-CHAIR,20,2025-03-01\nbatch-003,TASTELESS-LAMP,5,\nbatch-004,BLUE-SOFA,4,2025-02-01\nbatch-005,SMALL-TABLE,8,\nbatch-006,TASTELESS-LAMP,10,2025-04-01\n");
        File.WriteAllText(Path.Combine(pending, "journal-entry.jsonl"), "{\"earlier\":true}\n");
        File.WriteAllText(Path.Combine(pending, "COMMITTED"), "");
        var dry = CliRun.Of("stock", Feed, State, "-n");
        Assert.DoesNotContain("create_batch", dry.Stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(pending));

        Assert.Equal(0, CliRun.Of("stock", Feed, State).ExitCode);
        Assert.False(Directory.Exists(pending));
        Assert.Equal("{\"earlier\":true}", File.ReadLines(StateFile("journal.jsonl")).First());

        // A crash before the commit point: the staged file is ignored and removed.
        Directory.CreateDirectory(pending);
        File.WriteAllText(Path.Combine(pending, "batches.csv"), "ref,sku,qty,eta\n");
        var before = File.ReadAllText(StateFile("batches.csv"));
        Assert.Equal(0, CliRun.Of("stock", Feed, State).ExitCode);
        Assert.False(Directory.Exists(pending));
        Assert.Equal(before, File.ReadAllText(StateFile("batches.csv")));
    }

    [Fact]
    public void AllocatePlacesNewLinesAndIsIdempotent()
    {
        var orders = Path.Combine(sample, "orders.csv");
        var run = CliRun.Of("allocate", orders, State);
        Assert.True(run.ExitCode == 0, run.ToString());
        // batch-005 (SMALL-TABLE) is full; batch-001 has 1 left so order-9 goes to batch-002; order-1 is known.
        Assert.Equal(
            [
                "out_of_stock order-8 SMALL-TABLE qty 2 backordered",
                "allocate order-9 RED-CHAIR qty 4 to batch-002",
                "allocate order-10 TASTELESS-LAMP qty 1 to batch-003",
                "summary: batches 0 created, 0 changed, 0 removed; lines 0 moved, 2 newly allocated, 1 backordered",
            ],
            Lines(run.Stdout));
        Assert.EndsWith("order-8,SMALL-TABLE,2\n", File.ReadAllText(StateFile("unallocated.csv")), StringComparison.Ordinal);
        var again = CliRun.Of("allocate", orders, State);
        Assert.Equal(0, again.ExitCode);
        Assert.Single(Lines(again.Stdout));
    }

    [Fact]
    public void AllocateRejectsUnknownSkuAndChangesNothing()
    {
        var orders = Path.Combine(sample, "orders.csv");
        File.WriteAllText(orders, "orderid,sku,qty\norder-8,SMALL-TABLE,2\norder-9,PURPLE-RUG,1\n");
        var before = Snapshot();
        var run = CliRun.Of("allocate", orders, State);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"{orders}:3: unknown sku 'PURPLE-RUG'", run.Stderr, StringComparison.Ordinal);
        AssertSame(before, Snapshot());
    }
}
