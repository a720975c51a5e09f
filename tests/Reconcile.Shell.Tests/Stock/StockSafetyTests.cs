using System.Text;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>Hostile CSV input, the run lock and check mode of the stock jobs, on real temporary files.</summary>
public sealed class StockSafetyTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string sample;

    public StockSafetyTests()
    {
        sample = temp.CopySample("stock", "stock");
    }

    private string State => Path.Combine(sample, "state");

    private string Feed => Path.Combine(sample, "feed.csv");

    public void Dispose() => temp.Dispose();

    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(State, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(State, f), f => Convert.ToHexString(File.ReadAllBytes(f)), StringComparer.Ordinal);

    public static TheoryData<string> HostileFeeds() =>
        ["truncated", "garbage", "utf16", "latin1", "huge-field", "unbalanced-quotes", "no-header", "million-bad-rows", "nul-bytes"];

    [Theory]
    [MemberData(nameof(HostileFeeds))]
    public void AHostileFeedIsBadInputWithABoundedReadableReportAndStateUnchanged(string kind)
    {
        var feed = temp.Combine(kind + ".csv");
        File.WriteAllBytes(feed, Hostile(kind));
        var before = Snapshot();
        var run = CliRun.Of("stock", feed, State);
        Assert.True(run.ExitCode == ExitCodes.BadInput, kind + ": " + run);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, StockSafetyLimits.MaxErrorsShown + 2);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.All(lines, l => Assert.True(l.Length < 500, "an unreadable line: " + l[..Math.Min(l.Length, 200)]));
        Assert.Contains(lines, l => l.StartsWith(feed + ":", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot());
        if (kind == "million-bad-rows")
        {
            Assert.Contains($"… and {1_999_999 - StockSafetyLimits.MaxErrorsShown} more errors", run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AFeedWithAHeaderOnlyIsRefusedByTheEmptyFeedGuard()
    {
        var feed = temp.Combine("header.csv");
        File.WriteAllText(feed, "ref,sku,qty,eta\n");
        var before = Snapshot();
        Assert.Equal(ExitCodes.Refused, CliRun.Of("stock", feed, State).ExitCode);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void ASecondRunOnTheSameStateExitsFourNamingTheHolder()
    {
        var before = Snapshot();
        using (RunLock.Acquire(Path.Combine(State, ".reconcile.lock"), State))
        {
            var stock = CliRun.Of("stock", Feed, State);
            Assert.True(ExitCodes.Locked == stock.ExitCode, stock.ToString());
            Assert.Contains($"process {Environment.ProcessId} on host {Environment.MachineName}", stock.Stderr, StringComparison.Ordinal);
            var allocate = CliRun.Of("allocate", Path.Combine(sample, "orders.csv"), State);
            Assert.Equal(ExitCodes.Locked, allocate.ExitCode);
        }
        var lockFiles = new[] { ".reconcile.lock" };
        Assert.Equal(before, Snapshot().Where(f => !lockFiles.Contains(f.Key)).ToDictionary(StringComparer.Ordinal));
        Assert.Equal(0, CliRun.Of("stock", Feed, State).ExitCode);
    }

    [Fact]
    public void CheckExitsFiveWhilePendingAndZeroOnceApplied()
    {
        var before = Snapshot();
        Assert.Equal(ExitCodes.ChangesPending, CliRun.Of("stock", "--check", Feed, State).ExitCode);
        Assert.Equal(ExitCodes.ChangesPending, CliRun.Of("allocate", "--check", Path.Combine(sample, "orders.csv"), State).ExitCode);
        Assert.Equal(before, Snapshot());
        Assert.Equal(0, CliRun.Of("stock", Feed, State).ExitCode);
        Assert.Equal(ExitCodes.Done, CliRun.Of("stock", "--check", Feed, State).ExitCode);
    }

    private static byte[] Hostile(string kind)
    {
        const string header = "ref,sku,qty,eta\n";
        return kind switch
        {
            "truncated" => Encoding.UTF8.GetBytes(header + "b1,CHAIR,10,\nb2,TAB"),
            "garbage" => Garbage(),
            "utf16" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(header + "b1,CHAIR,10,\n")).ToArray(),
            "latin1" => Encoding.Latin1.GetBytes(header + "b1,CHAISE-PLIANTE-\u00e9,10,\n"),
            "huge-field" => Encoding.UTF8.GetBytes(header + "b1," + new string('X', 10_000_000) + ",10,\n"),
            "unbalanced-quotes" => Encoding.UTF8.GetBytes(header + "b1,\"CHAIR,10,\nb2,LAMP,5,\n"),
            "no-header" => Encoding.UTF8.GetBytes("b1,CHAIR,10,\nb2,LAMP,5,\n"),
            "nul-bytes" => Encoding.UTF8.GetBytes(header + "b1,CH\0AIR,10,\n"),
            "million-bad-rows" => MillionBadRows(header),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static byte[] Garbage()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Each row has a bad quantity and repeats the reference: two errors per row but the first.</summary>
    private static byte[] MillionBadRows(string header)
    {
        var text = new StringBuilder(header, 20_000_000);
        for (var i = 0; i < 1_000_000; i++)
        {
            text.Append("b,SKU,many,\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

/// <summary>The limits the stock reader promises, as the tests see them.</summary>
internal static class StockSafetyLimits
{
    public const int MaxErrorsShown = 100;
}
