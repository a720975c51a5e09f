using LanguageExt;
using Reconcile.Core.Files;
using static Reconcile.Core.Tests.Files.Some;

namespace Reconcile.Core.Tests.Files;

/// <summary>The simulator must refuse every step a filesystem would refuse, naming the step and the path.</summary>
public class FileSimulatorTests
{
    private static readonly FileMeta Meta = FileGens.Entry(1).Meta;

    private sealed record UnknownAction : FileAction
    {
        public override string Op => "unknown";

        public override IReadOnlyList<string> Touches => [];

        public override string Target => "";
    }

    private static FileTree With(FileTree tree, string path, FileEntry entry) =>
        tree with { Files = new Dictionary<string, FileEntry>(tree.Files, StringComparer.Ordinal) { [path] = entry } };

    /// <summary>Applies a first step that is fine, then the step under test: the error must name step 1.</summary>
    private static void FailsAtStepOne(FileTree dest, FileTree source, FileAction step, string message)
    {
        var result = FileSimulator.Apply(dest, new FileAction[] { new MakeDirectory("fine"), step }.ToSeq(), source);
        var error = result.Match(_ => "the plan was applied", e => e);
        Assert.StartsWith($"step 1 ({step.Op} {step.Target}): ", error, StringComparison.Ordinal);
        Assert.EndsWith($"): {message}", error, StringComparison.Ordinal);
    }

    private static FileTree Applied(FileTree dest, FileTree source, params FileAction[] plan) =>
        FileSimulator.Apply(dest, plan.ToSeq(), source).Match(t => t, e => throw new Xunit.Sdk.XunitException(e));

    [Fact]
    public void MoveFromAMissingPathIsRefused() =>
        FailsAtStepOne(Tree(("a", 1)), Tree(), new MoveFile("x", "y", Meta, false), "no file at x");

    [Fact]
    public void MoveOverAFileWithoutReplacingIsRefused() =>
        FailsAtStepOne(Tree(("a", 1), ("b", 2)), Tree(), new MoveFile("a", "b", Meta, false), "b exists and would be overwritten");

    [Fact]
    public void MoveThatReplacesNothingIsRefused() =>
        FailsAtStepOne(Tree(("a", 1)), Tree(), new MoveFile("a", "c", Meta, true), "c does not exist, nothing to replace");

    [Fact]
    public void MoveIntoAMissingDirectoryIsRefused() =>
        FailsAtStepOne(Tree(("a", 1)), Tree(), new MoveFile("a", "d/a", Meta, false), "no parent directory for d/a");

    [Fact]
    public void LocalCopyFromAMissingPathOrALinkIsRefused()
    {
        var dest = With(Tree(("a", 1)), "l", FileGens.Entry(1) with { Kind = EntryKind.Link, LinkTarget = "elsewhere" });
        FailsAtStepOne(dest, Tree(), new CopyLocal("x", "y", Meta, false), "no file at x");
        FailsAtStepOne(dest, Tree(), new CopyLocal("l", "y", Meta, false), "no file at l");
        FailsAtStepOne(dest, Tree(), new CopyLocal("a", "l", Meta, false), "l exists and would be overwritten");
    }

    [Fact]
    public void StashFromAMissingPathOrOntoAFileIsRefused()
    {
        FailsAtStepOne(Tree(("a", 1)), Tree(), new StashFile("x", "fine/0"), "no file at x");
        FailsAtStepOne(Tree(("a", 1), ("b", 2)), Tree(), new StashFile("a", "b"), "b exists and would be overwritten");
    }

    [Fact]
    public void TouchOfAMissingPathOrALinkIsRefused()
    {
        var dest = With(Tree(("a", 1)), "l", FileGens.Entry(1) with { Kind = EntryKind.Link, LinkTarget = "elsewhere" });
        FailsAtStepOne(dest, Tree(), new TouchFile("x", Meta), "no file at x");
        FailsAtStepOne(dest, Tree(), new TouchFile("l", Meta), "no file at l");
    }

    [Fact]
    public void CopyOverAnExistingFileIsRefused() =>
        FailsAtStepOne(Tree(("a", 4)), Tree(("a", 1)), new CopyFile("a", 11, Meta), "a exists and would be overwritten");

    [Fact]
    public void UpdateWhereNothingIsIsRefused() =>
        FailsAtStepOne(Tree(), Tree(("n", 1)), new UpdateFile("n", 11, Meta), "n does not exist, nothing to replace");

    [Fact]
    public void CopyWithTheWrongSizeIsRefused() =>
        FailsAtStepOne(Tree(), Tree(("n", 1)), new CopyFile("n", 12, Meta), "n has 11 bytes in SOURCE, the plan says 12");

    [Fact]
    public void CopyOfAPathThatIsNotInSourceIsRefused() =>
        FailsAtStepOne(Tree(), Tree(("n", 1)), new UpdateFile("zz", 11, Meta), "no file at zz in SOURCE");

    [Fact]
    public void CopyIntoAMissingDirectoryIsRefused() =>
        FailsAtStepOne(Tree(), Tree(("d/n", 1)), new CopyFile("d/n", 11, Meta), "no parent directory for d/n");

    [Fact]
    public void CopyOntoADirectoryIsRefused() =>
        FailsAtStepOne(Dirs("n"), Tree(("n", 1)), new CopyFile("n", 11, Meta), "n is a directory");

    [Fact]
    public void MakingADirectoryThatExistsIsRefused()
    {
        FailsAtStepOne(Tree([("a", 1)], ["d"]), Tree(), new MakeDirectory("d"), "d already exists");
        FailsAtStepOne(Tree([("a", 1)], ["d"]), Tree(), new MakeDirectory("a"), "a already exists");
    }

    [Fact]
    public void MakingADirectoryWithoutItsParentIsRefused() =>
        FailsAtStepOne(Tree(), Tree(), new MakeDirectory("p/q"), "no parent directory for p/q");

    [Fact]
    public void RemovingAMissingDirectoryIsRefused() =>
        FailsAtStepOne(Tree(("a", 1)), Tree(), new RemoveDirectory("a"), "no directory at a");

    [Fact]
    public void RemovingADirectoryThatHoldsAFileIsRefused() =>
        FailsAtStepOne(Tree(("d/x", 1), ("y", 2)), Tree(), new RemoveDirectory("d"), "directory d is not empty");

    [Fact]
    public void RemovingADirectoryThatHoldsADirectoryIsRefused() =>
        FailsAtStepOne(Dirs("d/e"), Tree(), new RemoveDirectory("d"), "directory d is not empty");

    [Fact]
    public void DeletingAMissingFileIsRefused() =>
        FailsAtStepOne(Tree(("a", 1)), Tree(), new DeleteFile("zz"), "no file at zz");

    [Fact]
    public void UnknownActionIsRefused() =>
        FailsAtStepOne(Tree(), Tree(), new UnknownAction(), "unknown action UnknownAction");

    [Fact]
    public void RemovingEmptyDirectoriesInADestWithoutFilesWorks()
    {
        var after = Applied(Dirs("d/e", "k"), Tree(), new RemoveDirectory("d/e"), new RemoveDirectory("d"));
        Assert.True(FileSimulator.SameTree(Dirs("k"), after, out var difference), difference);
    }

    [Fact]
    public void StepsThatFitAreAppliedInOrder()
    {
        var source = Tree(("n", 1), ("d/b", 2), ("c", 4));
        var after = Applied(
            Tree(("a", 2), ("c", 5), ("old", 3)),
            source,
            new MakeDirectory("d"),
            new MoveFile("a", "d/b", FileGens.Entry(2).Meta, false),
            new CopyFile("n", 11, Meta),
            new UpdateFile("c", 11, FileGens.Entry(4).Meta),
            new DeleteFile("old"));
        Assert.True(FileSimulator.SameTree(source, after, out var difference), difference);
    }

    [Fact]
    public void SameTreesHaveNoDifference()
    {
        Assert.True(FileSimulator.SameTree(Tree([("d/a", 1)], ["e"]), Tree([("d/a", 1)], ["d", "e"]), out var difference));
        Assert.Equal("", difference);
    }

    [Fact]
    public void MissingFileIsADifference()
    {
        Assert.False(FileSimulator.SameTree(Tree(("a", 1), ("b", 2)), Tree(("a", 1)), out var difference));
        Assert.Equal("missing file b", difference);
    }

    [Fact]
    public void ExtraFileIsADifference()
    {
        Assert.False(FileSimulator.SameTree(Tree(("a", 1)), Tree(("a", 1), ("c", 2)), out var difference));
        Assert.Equal("extra file c", difference);
    }

    [Fact]
    public void OtherBytesOtherMetadataOrALinkAreDifferences()
    {
        var want = Tree(("a", 1));
        var entry = FileGens.Entry(1);
        foreach (var have in new[] { entry with { Hash = new ContentHash(9, 9, 9, 9) }, entry with { Mode = 493 }, entry with { ModifiedUtc = entry.ModifiedUtc.AddSeconds(1) }, entry with { Kind = EntryKind.Link, LinkTarget = "elsewhere" } })
        {
            Assert.False(FileSimulator.SameTree(want, With(Tree(), "a", have), out var difference), have.ToString());
            Assert.StartsWith("different file a: want ", difference, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FilesWithoutHashesAreNotTakenAsTheSameBySizeAndTime()
    {
        var unhashed = With(Tree(), "a", FileGens.Entry(1) with { Hash = null });
        Assert.False(FileSimulator.SameTree(unhashed, unhashed, out var difference));
        Assert.StartsWith("different file a: ", difference, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDirectoryIsADifference()
    {
        Assert.False(FileSimulator.SameTree(Dirs("d", "e"), Dirs("d"), out var difference));
        Assert.Equal("missing directory e", difference);
    }

    [Fact]
    public void ExtraDirectoryIsADifference()
    {
        Assert.False(FileSimulator.SameTree(Tree(("d/a", 1)), Tree([("d/a", 1)], ["x"]), out var difference));
        Assert.Equal("extra directory x", difference);
    }

    [Fact]
    public void MissingDirectoryIsReportedBeforeAnExtraOne()
    {
        Assert.False(FileSimulator.SameTree(Dirs("m"), Dirs("x"), out var difference));
        Assert.Equal("missing directory m", difference);
    }
}
