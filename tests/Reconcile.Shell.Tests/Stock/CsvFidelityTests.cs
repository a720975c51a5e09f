using System.Text;
using System.Text.Json;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>
/// State files come back exactly as they went in, apart from the rows that change: the header byte for
/// byte, every row's extra values by position, and files the plan does not change untouched.
/// </summary>
public sealed class CsvFidelityTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string state;

    public CsvFidelityTests()
    {
        state = temp.Combine("state");
        Directory.CreateDirectory(state);
    }

    public void Dispose() => temp.Dispose();

    private string StateFile(string name) => Path.Combine(state, name);

    /// <summary>Writes a state file, or (<c>../NAME</c>) a file beside STATE.</summary>
    private string Write(string name, string text)
    {
        var path = name.StartsWith("../", StringComparison.Ordinal) ? temp.Combine(name[3..]) : StateFile(name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Feed(string text) => Write("../feed.csv", text);

    private static void Ok(CliRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    [Fact]
    public void AReorderedHeaderWithoutExtraColumnsIsKept()
    {
        Write("batches.csv", "sku,ref,qty,eta\nCHAIR,b1,5,\n");
        Write("allocations.csv", "batchref,qty,sku,orderid\nb1,2,CHAIR,o1\n");
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,CHAIR,1,\nb2,CHAIR,4,\n"), state));
        Assert.Equal("sku,ref,qty,eta\nCHAIR,b1,1,\nCHAIR,b2,4,\n", File.ReadAllText(StateFile("batches.csv")));
        Assert.Equal("batchref,qty,sku,orderid\nb2,2,CHAIR,o1\n", File.ReadAllText(StateFile("allocations.csv")));
    }

    [Fact]
    public void RepeatedAndEmptyColumnNamesKeepEveryValueByPosition()
    {
        Write("batches.csv", "ref,sku,qty,eta,note,note,,\nb1,A,5,,x,y,first,second\n");
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,1,\n"), state));
        Assert.Equal("ref,sku,qty,eta,note,note,,\nb1,A,1,,x,y,first,second\n", File.ReadAllText(StateFile("batches.csv")));
    }

    [Fact]
    public void TheHeaderIsKeptByteForByteQuotesIncluded()
    {
        Write("batches.csv", "\"ref\",sku,qty,eta,\"where, exactly\"\nb1,A,5,,shelf 3\n");
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,2,\n"), state));
        Assert.Equal("\"ref\",sku,qty,eta,\"where, exactly\"\nb1,A,2,,shelf 3\n", File.ReadAllText(StateFile("batches.csv")));
    }

    [Fact]
    public void MovingLinesTakeTheirValuesByNameAndTheJournalKeepsWhatTheOtherFileHasNoColumnFor()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,A,5,\n");
        Write("allocations.csv", "orderid,sku,qty,batchref,note,note,gift\no1,A,4,b1,n1,n2,yes\n");
        Write("unallocated.csv", "orderid,sku,qty,note,channel\no2,A,1,waiting,web\n");
        // b1 shrinks to 1: o1 no longer fits and becomes a backorder; o2 takes b1's one unit.
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,1,\n"), state));

        Assert.Equal("orderid,sku,qty,batchref,note,note,gift\no2,A,1,b1,waiting,,\n", File.ReadAllText(StateFile("allocations.csv")));
        Assert.Equal("orderid,sku,qty,note,channel\no1,A,4,n1,\n", File.ReadAllText(StateFile("unallocated.csv")));
        using var entry = JsonDocument.Parse(File.ReadAllLines(StateFile("journal.jsonl")).Single());
        var left = entry.RootElement.GetProperty("values_left_behind").EnumerateArray()
            .Select(v => string.Join("|", v.GetProperty("orderid").GetString(), v.GetProperty("file").GetString(), v.GetProperty("column").GetString(), v.GetProperty("position").GetInt32(), v.GetProperty("value").GetString()))
            .ToArray();
        Assert.Equal(["o2|unallocated.csv|channel|5|web", "o1|allocations.csv|note|6|n2", "o1|allocations.csv|gift|7|yes"], left);
    }

    [Fact]
    public void AJournalEntryWithNothingLeftBehindHasNoSuchField()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,A,5,\n");
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,4,\n"), state));
        using var entry = JsonDocument.Parse(File.ReadAllLines(StateFile("journal.jsonl")).Single());
        Assert.False(entry.RootElement.TryGetProperty("values_left_behind", out _));
    }

    [Fact]
    public void FilesThePlanDoesNotChangeAreNotRewrittenBomAndCrlfIncluded()
    {
        var allocations = "\uFEFForderid,sku,qty,batchref,note\r\no1,A,2,b1,\"keep, me\"\r\n";
        var backorders = "\uFEFForderid,sku,qty\r\no2,B,9\r\n";
        Write("batches.csv", "ref,sku,qty,eta\r\nb1,A,5,\r\n");
        Write("allocations.csv", allocations);
        Write("unallocated.csv", backorders);
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,3,2030-01-01\n"), state));
        Assert.Equal("ref,sku,qty,eta\nb1,A,3,2030-01-01\n", File.ReadAllText(StateFile("batches.csv")));
        Assert.Equal(Encoding.UTF8.GetBytes(allocations), File.ReadAllBytes(StateFile("allocations.csv")));
        Assert.Equal(Encoding.UTF8.GetBytes(backorders), File.ReadAllBytes(StateFile("unallocated.csv")));
    }

    [Fact]
    public void QuantitiesBeyondThirtyTwoBitsAreReadAndWritten()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,A,3000000000,\n");
        Write("allocations.csv", "orderid,sku,qty,batchref\no1,A,2500000000,b1\n");
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,A,9223372036854775807,\n"), state));
        Assert.Equal("ref,sku,qty,eta\nb1,A,9223372036854775807,\n", File.ReadAllText(StateFile("batches.csv")));
    }

    [Fact]
    public void AQuantityTooLargeIsOneErrorNamingItsLineAndNothingChanges()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,A,5,\n");
        var feed = Feed("ref,sku,qty,eta\nb1,A,5,\nb2,A,9223372036854775808,\n");
        var run = CliRun.Of("stock", feed, state);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            [$"{feed}:3: qty '9223372036854775808' is too large (at most 9223372036854775807)", "reconcile: 1 bad row in the input; nothing was changed"],
            PlanText.Lines(run.Stderr));
        Assert.Equal("ref,sku,qty,eta\nb1,A,5,\n", File.ReadAllText(StateFile("batches.csv")));
        Assert.False(File.Exists(StateFile("journal.jsonl")));
    }

    [Fact]
    public void BadRowsOfStateFilesAreReportedByThePathAsGiven()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,A,x,\n");
        Feed("ref,sku,qty,eta\nb1,A,1,\n");
        var run = ExeRun.In(temp.Path, "stock", "feed.csv", "state");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            ["state/batches.csv:2: qty 'x' is not a non-negative integer", "reconcile: 1 bad row in the input; nothing was changed"],
            PlanText.Lines(run.Stderr));
    }

    [Fact]
    public void OrdersSubmittedAgainAfterTheirSkuLostItsBatchesChangeNothing()
    {
        Write("batches.csv", "ref,sku,qty,eta\nb1,CHAIR,5,\nb2,LAMP,1,\n");
        var orders = Write("../orders.csv", "orderid,sku,qty\no1,CHAIR,2\no2,LAMP,1\no3,LAMP,4\n");
        Ok(CliRun.Of("allocate", orders, state));
        // The feed removes LAMP's only batch: o2 becomes a backorder beside o3.
        Ok(CliRun.Of("stock", Feed("ref,sku,qty,eta\nb1,CHAIR,5,\n"), state));
        var again = CliRun.Of("allocate", orders, state);
        Ok(again);
        Assert.Equal(["summary: nothing to do; STATE already agrees (0 actions)"], PlanText.Lines(again.Stdout));
    }
}
