using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Stock;

/// <summary><c>stock</c>/<c>allocate --dry-run --plan-out</c>, then <c>reconcile apply</c>.</summary>
public sealed class StockSavedPlanTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string sample;

    public StockSavedPlanTests()
    {
        sample = temp.CopySample("stock", "stock");
    }

    public void Dispose() => temp.Dispose();

    private string Feed => Path.Combine(sample, "feed.csv");

    private string Orders => Path.Combine(sample, "orders.csv");

    private string State => Path.Combine(sample, "state");

    private string Plan => temp.Combine("plan.json");

    private Dictionary<string, string> StateFiles() =>
        Directory.GetFiles(State).Where(f => f.EndsWith(".csv", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);

    [Fact]
    public void SavedPlanAppliedLaterGivesTheSameStateAsADirectRun()
    {
        var other = temp.CopySample("stock", "direct");
        Assert.Equal(0, CliRun.Of("stock", Path.Combine(other, "feed.csv"), Path.Combine(other, "state")).ExitCode);

        var saved = CliRun.Of("stock", "--dry-run", "--plan-out", Plan, Feed, State);
        Assert.Equal(0, saved.ExitCode);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Plan)))
        {
            Assert.Equal("stock", doc.RootElement.GetProperty("kind").GetString());
            Assert.Equal(9, doc.RootElement.GetProperty("actions").GetArrayLength());
        }
        var applied = CliRun.Of("apply", Plan);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(saved.Stdout, applied.Stdout);

        var direct = Directory.GetFiles(Path.Combine(other, "state"), "*.csv").ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        Assert.Equal(direct, StateFiles());
        Assert.Equal(ExitCodes.Done, CliRun.Of("stock", "--check", Feed, State).ExitCode);
    }

    [Fact]
    public void PlanIsStaleOnceAnyInputChanges()
    {
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", Plan, Feed, State).ExitCode);
        File.AppendAllText(Feed, "batch-099,RED-CHAIR,1,\n");
        var before = StateFiles();
        var stale = CliRun.Of("apply", Plan);
        Assert.Equal(ExitCodes.Refused, stale.ExitCode);
        Assert.Contains("stale plan", stale.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, StateFiles());
    }

    [Fact]
    public void AppliedPlanCannotBeAppliedTwice()
    {
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", Plan, Feed, State).ExitCode);
        Assert.Equal(0, CliRun.Of("apply", Plan).ExitCode);
        var after = StateFiles();
        Assert.Equal(ExitCodes.Refused, CliRun.Of("apply", Plan).ExitCode);
        Assert.Equal(after, StateFiles());
    }

    [Fact]
    public void EditedActionsAreRejected()
    {
        Assert.Equal(0, CliRun.Of("allocate", "-n", "--plan-out", Plan, Orders, State).ExitCode);
        var text = File.ReadAllText(Plan);
        Assert.Contains("\"batchref\": \"batch-002\"", text, StringComparison.Ordinal);
        File.WriteAllText(Plan, text.Replace("\"batchref\": \"batch-002\"", "\"batchref\": \"batch-001\"", StringComparison.Ordinal));
        var before = StateFiles();
        var edited = CliRun.Of("apply", Plan);
        Assert.Equal(ExitCodes.BadInput, edited.ExitCode);
        Assert.Contains("edited", edited.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, StateFiles());
    }

    [Theory]
    [InlineData("\"kind\": \"stock\"", "\"kind\": \"nonsense\"")]
    [InlineData("\"op\": \"remove_batch\"", "\"op\": \"drop_table\"")]
    [InlineData("\"reconcile_plan\": 1", "\"reconcile_plan\": 7")]
    [InlineData("\"mode\": \"full\"", "\"mode\": \"sideways\"")]
    public void MalformedPlansAreBadInput(string from, string to)
    {
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", Plan, Feed, State).ExitCode);
        var text = File.ReadAllText(Plan);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(Plan, text.Replace(from, to, StringComparison.Ordinal));
        var before = StateFiles();
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("apply", Plan).ExitCode);
        Assert.Equal(before, StateFiles());
    }

    [Fact]
    public void RelativeStoreLocatorInAPlanIsRejected()
    {
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", Plan, Feed, State).ExitCode);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Plan)))
        {
            var state = doc.RootElement.GetProperty("store").GetString()!;
            File.WriteAllText(Plan, File.ReadAllText(Plan).Replace(JsonEncodedText.Encode(state).ToString(), "../state", StringComparison.Ordinal));
        }
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("apply", Plan).ExitCode);
    }

    [Fact]
    public void PlanOutNeedsADryRun()
    {
        var before = StateFiles();
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("stock", "--plan-out", Plan, Feed, State).ExitCode);
        Assert.False(File.Exists(Plan));
        Assert.Equal(before, StateFiles());
    }

    [Fact]
    public void QuietPrintsNothingButStillApplies()
    {
        var run = CliRun.Of("allocate", "--quiet", Orders, State);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("order-9", File.ReadAllText(Path.Combine(State, "allocations.csv")), StringComparison.Ordinal);
    }
}
