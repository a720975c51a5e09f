using LanguageExt;
using Reconcile.Core.Files;
using static Reconcile.Core.Tests.Files.Some;

namespace Reconcile.Core.Tests.Files;

/// <summary>Which files are hashed, when the quick check trusts size and time, and where stashed files go.</summary>
public class FilePlannerChecksAndStashTests
{
    private static readonly FileEntry One = FileGens.Entry(1);

    private static FileMeta MetaOf(int content) => FileGens.Entry(content).Meta;

    private static FileTree With(FileTree tree, string path, FileEntry entry) =>
        tree with { Files = new Dictionary<string, FileEntry>(tree.Files, StringComparer.Ordinal) { [path] = entry } };

    private static FileTree Only(string path, FileEntry entry) => With(Tree(), path, entry);

    private static string[] StashTargets(Seq<FileAction> plan) => plan.OfType<StashFile>().Select(s => s.To).ToArray();

    [Fact]
    public void ChecksumHashesEveryFileExceptEmptyOnesAndDestLinks()
    {
        var source = Tree(("a", 1), ("empty", 0));
        var dest = With(Tree(("b", 2), ("empty", 0)), "l", One with { Kind = EntryKind.Link, LinkTarget = "elsewhere" });
        var request = FilePlanner.PathsToHash(source, dest, new FilePlanOptions(Checksum: true));
        Assert.Equal(new[] { "a" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "b" }, request.Dest.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void QuickModeDoesNotHashForALinkOfTheSameSize()
    {
        var request = FilePlanner.PathsToHash(Tree(("a", 1)), Only("l", One with { Kind = EntryKind.Link, LinkTarget = "elsewhere" }), FilePlanOptions.Default);
        Assert.Empty(request.Source);
        Assert.Empty(request.Dest);
    }

    [Fact]
    public void QuickModeHashesAFileWhoseTimeDiffersFromTheSameSizeAtItsPath()
    {
        var dest = With(Only("a", One with { ModifiedUtc = One.ModifiedUtc.AddSeconds(1) }), "b", FileGens.Entry(4));
        var request = FilePlanner.PathsToHash(Tree(("a", 1)), dest, FilePlanOptions.Default);
        Assert.Equal(new[] { "a" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "a", "b" }, request.Dest.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void QuickModeHashesAFileWhoseSizeDiffersAtTheSameTime()
    {
        var dest = With(Only("a", One with { Size = 21 }), "b", FileGens.Entry(4));
        var request = FilePlanner.PathsToHash(Tree(("a", 1)), dest, FilePlanOptions.Default);
        Assert.Equal(new[] { "a" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "b" }, request.Dest.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void QuickModeHashesAFileWhosePathHoldsALinkWithTheSameSizeAndTime()
    {
        var dest = With(Only("a", One with { Kind = EntryKind.Link, LinkTarget = "elsewhere" }), "b", FileGens.Entry(4));
        var request = FilePlanner.PathsToHash(Tree(("a", 1)), dest, FilePlanOptions.Default);
        Assert.Equal(new[] { "a" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "b" }, request.Dest.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LinkWithTheSizeAndTimeOfTheSourceFileIsStillReplacedInQuickMode()
    {
        var plan = FilePlanner.Plan(Tree(("a", 1)), Only("a", One with { Kind = EntryKind.Link, LinkTarget = "elsewhere" }), FilePlanOptions.Default);
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void QuickCheckNeedsTheSameTimeNotJustTheSameSize()
    {
        var unhashed = One with { Hash = null };
        var plan = FilePlanner.Plan(Only("a", unhashed), Only("a", unhashed with { ModifiedUtc = One.ModifiedUtc.AddSeconds(1) }), FilePlanOptions.Default);
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void QuickCheckNeedsTheSameSizeNotJustTheSameTime()
    {
        var unhashed = One with { Hash = null };
        var plan = FilePlanner.Plan(Only("a", unhashed), Only("a", unhashed with { Size = 12 }), FilePlanOptions.Default);
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void ChecksumModeNeverTrustsSizeAndTimeAlone()
    {
        var unhashed = Only("a", One with { Hash = null });
        var plan = FilePlanner.Plan(unhashed, unhashed, new FilePlanOptions(Checksum: true));
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void ChainOfRenamesInTargetOrderWaitsForTheBlockerInsteadOfStashing()
    {
        // a -> b must wait until the file at b has moved on to c.
        var plan = PlanAndVerify(Tree(("b", 1), ("c", 2)), Tree(("a", 1), ("b", 2)));
        Assert.Equal<FileAction>([new MoveFile("b", "c", MetaOf(2), false), new MoveFile("a", "b", MetaOf(1), false)], plan);
    }

    [Fact]
    public void EachCycleGetsTheNextStashNumber()
    {
        var plan = PlanAndVerify(Tree(("a", 1), ("b", 2), ("c", 3), ("d", 5)), Tree(("a", 2), ("b", 1), ("c", 5), ("d", 3)));
        Assert.Equal(new[] { ".reconcile-tmp/0", ".reconcile-tmp/1" }, StashTargets(plan));
    }

    public static TheoryData<string, FileTree, FileTree> StashRootTakenBy() => new()
    {
        { "a SOURCE directory", Tree([("a", 1), ("b", 2)], [".reconcile-tmp"]), Tree(("a", 2), ("b", 1)) },
        { "a SOURCE file", Tree(("a", 1), ("b", 2), (".reconcile-tmp", 3)), Tree(("a", 2), ("b", 1)) },
        { "a DEST directory", Tree(("a", 1), ("b", 2)), Tree([("a", 2), ("b", 1)], [".reconcile-tmp"]) },
        { "a DEST file", Tree(("a", 1), ("b", 2)), Tree(("a", 2), ("b", 1), (".reconcile-tmp", 3)) },
    };

    [Theory]
    [MemberData(nameof(StashRootTakenBy))]
    public void StashRootNameSkipsANameTakenOnEitherSide(string takenBy, FileTree source, FileTree dest)
    {
        var plan = PlanAndVerify(source, dest);
        Assert.True(StashTargets(plan).SequenceEqual([".reconcile-tmp-1/0"]), takenBy + "\n" + string.Join("\n", plan));
    }

    [Fact]
    public void StashRootNameCountsUpPastEveryTakenName()
    {
        var plan = PlanAndVerify(
            Tree([("a", 1), ("b", 2)], [".reconcile-tmp-1"]),
            Tree(("a", 2), ("b", 1), (".reconcile-tmp", 3)));
        Assert.Equal(new[] { ".reconcile-tmp-2/0" }, StashTargets(plan));
    }
}
