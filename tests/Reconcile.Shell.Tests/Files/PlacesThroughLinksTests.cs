using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// Every path a files run writes outside DEST (backup dir, cache dir, lock dir, saved plan), reached
/// through a symbolic link to SOURCE and to DEST: nothing is ever written inside SOURCE, and nothing but
/// the mirror inside DEST.
/// </summary>
public sealed class PlacesThroughLinksTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string source;
    private readonly string dest;
    private readonly TreeSnapshot sourceBefore;

    public PlacesThroughLinksTests()
    {
        source = temp.CopySample("files/source", "source");
        dest = temp.CopySample("files/dest", "dest");
        sourceBefore = TreeSnapshot.Of(source);
        File.CreateSymbolicLink(temp.Combine("to-source"), source);
        File.CreateSymbolicLink(temp.Combine("to-dest"), dest);
    }

    public void Dispose() => temp.Dispose();

    public static TheoryData<string> Links => new() { "to-source", "to-dest" };

    private string Through(string link, string inside) => Path.Combine(temp.Combine(link), inside);

    /// <summary>The run is bad input, its message names the place, and neither root changed.</summary>
    private void RefusedAndNothingChanged(Func<CliRun> run, string names)
    {
        var destBefore = TreeSnapshot.Of(dest);
        var result = run();
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Contains(names, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(sourceBefore, TreeSnapshot.Of(source));
        Assert.Equal(destBefore, TreeSnapshot.Of(dest));
    }

    [Theory]
    [MemberData(nameof(Links))]
    public void ABackupDirectoryThroughALinkToARootIsRefusedAndNothingChanges(string link) =>
        RefusedAndNothingChanged(() => CliRun.Of("files", "--backup-dir", Through(link, "trash"), source, dest), "--backup-dir");

    [Theory]
    [MemberData(nameof(Links))]
    public void ACacheDirectoryThroughALinkToARootIsLeftUnusedAndTheMirrorStaysExact(string link)
    {
        var cache = Through(link, ".cache");
        var first = CliRun.Of("files", "--checksum", "--cache-dir", cache, source, dest);
        Assert.True(first.ExitCode == ExitCodes.Done, first.ToString());
        Assert.Contains("not using the hash cache", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(sourceBefore, TreeSnapshot.Of(source));
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));

        // A cache written into DEST would be an extra file that the next run deletes.
        var second = CliRun.Of("files", "--checksum", "--cache-dir", cache, source, dest);
        Assert.True(second.ExitCode == ExitCodes.Done, second.ToString());
        Assert.StartsWith("summary: nothing to do", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Theory]
    [MemberData(nameof(Links))]
    public void ALockDirectoryThroughALinkToARootIsRefusedAndNothingChanges(string link) =>
        RefusedAndNothingChanged(
            () => ExeRun.Of(new Dictionary<string, string> { ["XDG_CACHE_HOME"] = Through(link, "cache") }, "files", source, dest),
            "lock's directory");

    [Theory]
    [MemberData(nameof(Links))]
    public void ASavedPlanThroughALinkToARootIsRefusedAndNothingIsWritten(string link) =>
        RefusedAndNothingChanged(() => CliRun.Of("files", "--dry-run", "--plan-out", Through(link, "plan.json"), source, dest), "--plan-out");

    [Fact]
    public void PlacesOutsideBothRootsReachedThroughLinksAreUsed()
    {
        var outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(temp.Combine("to-outside"), outside);
        var saved = CliRun.Of("files", "--dry-run", "--plan-out", Through("to-outside", "plan.json"), source, dest);
        Assert.True(saved.ExitCode == ExitCodes.Done, saved.ToString());
        Assert.True(File.Exists(Path.Combine(outside, "plan.json")));
        var run = CliRun.Of("files", "--checksum", "--cache-dir", Through("to-outside", "cache"), "--backup-dir", Through("to-outside", "trash"), source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.DoesNotContain("not using the hash cache", run.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(outside, "cache")));
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }
}
