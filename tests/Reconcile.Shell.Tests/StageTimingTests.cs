using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

/// <summary><c>RECONCILE_STAGES=1</c> adds stage timings on stderr and changes nothing else.</summary>
public sealed class StageTimingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void StagesArePrintedOnStderrOnlyWhenAsked()
    {
        var source = temp.CopySample("files/source", "source");
        var dest = temp.CopySample("files/dest", "dest");
        var cache = temp.Combine("cache");
        var plain = ExeRun.Of(null, "files", "-n", "--cache-dir", cache, source, dest);
        var timed = ExeRun.Of(new Dictionary<string, string> { ["RECONCILE_STAGES"] = "1" }, "files", "-n", "--cache-dir", cache, source, dest);

        Assert.Equal(ExitCodes.Done, plain.ExitCode);
        Assert.Equal(plain.ExitCode, timed.ExitCode);
        Assert.Equal(plain.Stdout, timed.Stdout);
        Assert.Equal("", plain.Stderr);
        var stages = timed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] expected = ["started", "parsed the command line", "files: scanned", "files: hashed", "files: planned", "done"];
        Assert.Equal(expected, stages.Where(l => l.Contains(" ms  ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(" ms  ", StringComparison.Ordinal) + 5)..]));
        var times = stages.Where(l => l.Contains(" ms  ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[..l.IndexOf(" ms", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(times.Order(), times);
        Assert.StartsWith("garbage collections: ", stages[^2], StringComparison.Ordinal);
        Assert.StartsWith("compiled at run time: ", stages[^1], StringComparison.Ordinal);
    }
}
