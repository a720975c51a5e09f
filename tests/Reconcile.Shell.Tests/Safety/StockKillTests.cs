using System.Globalization;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit.Abstractions;

namespace Reconcile.Shell.Tests.Safety;

/// <summary>
/// Fault injection for <c>stock</c>: the run is killed with SIGKILL at each of its steps in turn, then run
/// again. Every time, STATE must end byte for byte equal to what one uninterrupted run gives (the whole
/// new state, one journal line), with no staging directory left behind.
/// </summary>
public sealed class StockKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void EveryKillPointEndsInTheWholeNewStateAfterTheNextRun()
    {
        Skip.If(OperatingSystem.IsWindows(), "the kill hook sends SIGKILL, which only Unix has");
        var reference = temp.CopySample("stock", "reference");
        var done = ExeRun.Of(null, "stock", Path.Combine(reference, "feed.csv"), Path.Combine(reference, "state"));
        Assert.True(done.ExitCode == 0, done.ToString());
        var expected = StateFiles(Path.Combine(reference, "state"));
        var outcomes = KillRuns.Sweep(n => KillAt(n, expected));
        output.WriteLine($"stock: {outcomes.KillPoints} kill points, each repaired by the next run");
        Assert.True(outcomes.KillPoints >= 8, $"only {outcomes.KillPoints} kill points");
    }

    private bool KillAt(int n, Dictionary<string, string> expected)
    {
        var root = temp.CopySample("stock", "run-" + n.ToString(CultureInfo.InvariantCulture));
        var feed = Path.Combine(root, "feed.csv");
        var state = Path.Combine(root, "state");
        var first = ExeRun.Of(new Dictionary<string, string> { [KillPoint.Variable] = n.ToString(CultureInfo.InvariantCulture) }, "stock", feed, state);
        if (first.ExitCode == 0)
        {
            return false;
        }
        Assert.True(first.ExitCode == 137, $"kill point {n}: {first}");
        // Step N stops the run at the same place every time (the state files are staged side by side
        // otherwise): a second copy killed at N is left in the same state.
        var twin = Path.Combine(temp.CopySample("stock", "run-" + n.ToString(CultureInfo.InvariantCulture) + "-twin"), "state");
        var twinRun = ExeRun.Of(new Dictionary<string, string> { [KillPoint.Variable] = n.ToString(CultureInfo.InvariantCulture) }, "stock", Path.Combine(Path.GetDirectoryName(twin)!, "feed.csv"), twin);
        Assert.True(twinRun.ExitCode == 137, $"kill point {n}, second time: {twinRun}");
        Assert.Equal(StateFiles(state), StateFiles(twin));
        var second = ExeRun.Of(null, "stock", feed, state);
        Assert.True(second.ExitCode == 0, $"after kill point {n}: {second}");
        var actual = StateFiles(state);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in expected)
        {
            Assert.True(content == actual[name], $"after kill point {n}: {name} differs:\n{actual[name]}\n--- expected\n{content}");
        }
        Assert.False(Directory.Exists(Path.Combine(state, ".reconcile-pending")), $"after kill point {n}: staging left behind");
        return true;
    }

    /// <summary>The state files, with the journal's times and folder blanked (each run has its own clock and folder).</summary>
    private static Dictionary<string, string> StateFiles(string state) =>
        Directory.GetFiles(state, "*.*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(".reconcile.lock", StringComparison.Ordinal))
            .ToDictionary(
                f => Path.GetRelativePath(state, f),
                f => System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f), "\"time\":\"[^\"]*\"", "\"time\":\"-\"")
                    .Replace(Path.GetDirectoryName(state)!, "ROOT", StringComparison.Ordinal),
                StringComparer.Ordinal);
}
