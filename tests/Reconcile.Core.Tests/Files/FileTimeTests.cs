using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>Times as rsync compares them: whole seconds, widened by --modify-window, nanoseconds with a negative window.</summary>
public class FileTimeTests
{
    private const long Second = FileTime.NanosPerSecond;
    private const long T = 1_700_000_000 * Second;

    [Theory]
    [InlineData(T, T + 999_999_999, 0, true)]
    [InlineData(T, T + Second, 0, false)]
    [InlineData(T + 500_000_000, T + Second + 100, 1, true)]
    [InlineData(T, T + 2 * Second, 1, false)]
    [InlineData(T, T + 2 * Second + 5, 2, true)]
    [InlineData(T, T + 1, -1, false)]
    [InlineData(T + 7, T + 7, -1, true)]
    [InlineData(-1, 0, 0, false)]
    [InlineData(-Second, -1, 0, true)]
    public void TimesAreTheSameAsRsyncComparesThem(long a, long b, int window, bool same)
    {
        Assert.Equal(same, FileTime.Same(a, b, window));
        Assert.Equal(same, FileTime.Same(b, a, window));
    }

    [Theory]
    [InlineData(T + 123_456_789, "1700000000.123456789")]
    [InlineData(-1, "-1.999999999")]
    [InlineData(0, "0.000000000")]
    public void TimesPrintAsFindPrintsThemAndReadBack(long ns, string text)
    {
        Assert.Equal(text, FileTime.Format(ns));
        Assert.True(FileTime.TryParse(text, out var back));
        Assert.Equal(ns, back);
    }

    [Fact]
    public void AFileWhoseTimeDiffersOnlyInNanosecondsIsLeftAloneUnlessNanosecondsAreCompared()
    {
        var source = Some.Tree(("a", 1));
        var entry = source.Files["a"];
        var dest = source with { Files = new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["a"] = entry with { ModifiedNs = entry.ModifiedNs + 1 } } };
        Assert.Empty(FilePlanner.Plan(source, dest, new FilePlanOptions(Checksum: false)));
        var plan = FilePlanner.Plan(source, dest, new FilePlanOptions(Checksum: false, ModifyWindow: -1));
        Assert.Equal([new TouchFile("a", entry.Meta)], plan.ToArray());
    }

    [Fact]
    public void AWindowOfOneSecondKeepsAFileATwoSecondFileSystemRounded()
    {
        var source = Some.Tree(("a", 1));
        var entry = source.Files["a"];
        var rounded = entry with { ModifiedNs = entry.ModifiedNs + Second };
        var dest = source with { Files = new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["a"] = rounded } };
        Assert.Single(FilePlanner.Plan(source, dest, new FilePlanOptions(Checksum: false)));
        Assert.Empty(FilePlanner.Plan(source, dest, new FilePlanOptions(Checksum: false, ModifyWindow: 1)));
    }

    [Fact]
    public void DeviceNumbersPackAsGlibcPacksThem()
    {
        Assert.Equal(0x0105UL, DeviceNumbers.Make(1, 5));
        var big = DeviceNumbers.Make(4095 + 4096, 300_000);
        Assert.Equal(4095u + 4096, DeviceNumbers.Major(big));
        Assert.Equal(300_000u, DeviceNumbers.Minor(big));
    }
}
