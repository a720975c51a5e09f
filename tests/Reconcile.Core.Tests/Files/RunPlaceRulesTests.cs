using FsCheck;
using FsCheck.Fluent;
using Reconcile.Core.Common;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>The one rule for "inside a root", on resolved paths as plain values.</summary>
public class RunPlaceRulesTests
{
    private static RunPath At(string resolved, string? written = null) => new(written ?? resolved, resolved);

    private static RunPlaces Places(RunPath? backup = null, RunPath? cache = null, RunPath? locks = null, RunPath? planOut = null) =>
        new(At("/data/photos", "photos"), At("/mnt/backup/photos", "mirror"), backup, cache, locks, planOut);

    [Theory]
    [InlineData("/a/b", "/a/b", true)]
    [InlineData("/a/b/c", "/a/b", true)]
    [InlineData("/a/b/", "/a/b", true)]
    [InlineData("/a/bc", "/a/b", false)]
    [InlineData("/a", "/a/b", false)]
    [InlineData("/", "/a", false)]
    [InlineData("/a", "/", true)]
    public void InsideMeansTheSameDirectoryOrBelowItNotASharedPrefix(string path, string root, bool inside) =>
        Assert.Equal(inside, RunPlaceRules.IsInside(path, root));

    /// <summary>Resolved paths that share prefixes in every way that matters to the rule.</summary>
    public static class Paths
    {
        public static Arbitrary<(string, string)> Pairs()
        {
            var paths = Gen.Elements("/", "/a", "/a/b", "/a/bc", "/a/b/c", "/d", "/d/a/b");
            return Gen.Two(paths).ToArbitrary();
        }
    }

    [ReconcileProperty(Arbitrary = new[] { typeof(Paths) })]
    public bool OverlapIsInsideEitherWay((string, string) pair) =>
        RunPlaceRules.Overlap(pair.Item1, pair.Item2) == RunPlaceRules.Overlap(pair.Item2, pair.Item1)
        && RunPlaceRules.Overlap(pair.Item1, pair.Item2) == (RunPlaceRules.IsInside(pair.Item1, pair.Item2) || RunPlaceRules.IsInside(pair.Item2, pair.Item1));

    [Fact]
    public void SeparatePlacesMayBeUsed()
    {
        var places = Places(At("/trash"), At("/home/u/.cache/reconcile"), At("/home/u/.cache/reconcile/locks"), At("/tmp/plan.json"));
        Assert.Null(RunPlaceRules.Refusal(places));
        Assert.Equal(places.Cache, RunPlaceRules.UsableCache(places));
    }

    [Fact]
    public void OverlappingRootsAreBadInputNamedAsWritten()
    {
        var places = Places() with { Dest = At("/data/photos/mirror", "photos/mirror") };
        Assert.Equal(
            Problem.BadInput("SOURCE photos and DEST photos/mirror overlap; a mirror must live outside its source"),
            RunPlaceRules.Refusal(places));
    }

    [Theory]
    [InlineData("/data/photos/trash")]
    [InlineData("/mnt/backup/photos/trash")]
    [InlineData("/mnt/backup")]
    [InlineData("/data")]
    public void ABackupDirectoryInsideOrAroundEitherRootIsBadInput(string backup)
    {
        var problem = RunPlaceRules.Refusal(Places(backup: At(backup, "B")));
        Assert.Equal(Problem.BadInput("--backup-dir B overlaps SOURCE or DEST; it must be a directory outside both"), problem);
    }

    [Theory]
    [InlineData("/data/photos/.cache/reconcile/locks")]
    [InlineData("/mnt/backup/photos/.cache/reconcile/locks")]
    public void ALockDirectoryInsideEitherRootIsBadInput(string locks)
    {
        var problem = RunPlaceRules.Refusal(Places(locks: At(locks, "L")));
        Assert.Equal(ProblemKind.BadInput, problem?.Kind);
        Assert.Contains("lock's directory L lies inside SOURCE or DEST", problem?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/data/photos/plan.json")]
    [InlineData("/mnt/backup/photos/sub/plan.json")]
    public void ASavedPlanInsideEitherRootIsBadInput(string planOut)
    {
        var problem = RunPlaceRules.Refusal(Places(planOut: At(planOut, "plan.json")));
        Assert.Equal(Problem.BadInput("--plan-out plan.json lies inside SOURCE or DEST; save the plan outside both"), problem);
    }

    [Fact]
    public void ADirectoryAroundTheRootsMayHoldTheLockAndThePlan()
    {
        var places = Places(locks: At("/mnt"), planOut: At("/mnt/plan.json"));
        Assert.Null(RunPlaceRules.Refusal(places));
    }

    [Theory]
    [InlineData("/data/photos/.cache", false)]
    [InlineData("/mnt/backup/photos/.cache", false)]
    [InlineData("/mnt/backup/photos", false)]
    [InlineData("/mnt/backup", true)]
    [InlineData("/var/cache", true)]
    public void TheHashCacheIsUsedOnlyOutsideBothRoots(string cache, bool usable)
    {
        var places = Places(cache: At(cache));
        Assert.Equal(usable, RunPlaceRules.UsableCache(places) is not null);
        Assert.Null(RunPlaceRules.Refusal(places)); // a cache inside a root is left unused, not refused
    }

    [Fact]
    public void TheSeparatorIsThePlatformsOwn()
    {
        var places = new RunPlaces(At(@"C:\data"), At(@"C:\data\mirror"), null, null, null, null, '\\');
        Assert.NotNull(RunPlaceRules.Refusal(places));
        Assert.False(RunPlaceRules.IsInside(@"C:\database", @"C:\data", '\\'));
    }
}
