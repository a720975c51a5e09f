using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>--modify-window as rsync has it, and the probe of DEST's time resolution that leaves DEST as it was.</summary>
public sealed class TimeResolutionTests : IDisposable
{
    private static readonly DateTime Time = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Write(string root, string name, DateTime time)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, name);
        File.WriteAllText(path, "same bytes");
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }

    [Fact]
    public void TimesWithinTheModifyWindowAreTheSame()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "f", Time.AddMilliseconds(500));
        Write(dest, "f", Time.AddMilliseconds(1200));
        Assert.Contains("touch", CliRun.Of("files", "-n", "--no-cache", source, dest).Stdout, StringComparison.Ordinal);
        var within = CliRun.Of("files", "-n", "--no-cache", "--modify-window", "1", source, dest);
        Assert.True(within.Stdout.StartsWith("summary: nothing to do", StringComparison.Ordinal), within.ToString());
    }

    [Fact]
    public void AModifyWindowThatIsNotANumberIsBadInput()
    {
        var run = CliRun.Of("files", "--modify-window", "abc", temp.Combine("s"), temp.Combine("d"));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("--modify-window takes a whole number of seconds, not 'abc'", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheProbeFindsNanosecondsHereAndLeavesDestAsItWas()
    {
        Skip.IfNot(NativeFiles.IsAvailable, "the probe uses the native calls (Linux)");
        var dest = temp.Combine("d");
        Write(dest, "f", Time);
        var rootTime = FileTime.FromDateTime(Time) + 123_456_700;
        NativeFiles.SetMeta(dest, new FileMeta(rootTime, 0b111_101_101), isLink: false);
        var resolution = new LocalEndpoint(LocalAccess.OfThisMachine(), dest).ProbeTimeResolution();
        Assert.True(resolution < TimeSpan.FromSeconds(1), resolution.ToString());
        Assert.Equal(["f"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
        Assert.True(NativeFiles.TryStat(dest, out var after));
        Assert.Equal(rootTime, after.ModifiedNs);
    }
}
