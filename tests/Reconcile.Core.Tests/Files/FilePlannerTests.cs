using LanguageExt;
using Reconcile.Core.Files;
using static Reconcile.Core.Tests.Files.Some;

namespace Reconcile.Core.Tests.Files;

public class FilePlannerTests
{
    private static FileMeta MetaOf(int content) => FileGens.Entry(content).Meta;

    [Fact]
    public void IdenticalTreesNeedNothing()
    {
        var tree = Tree([("a", 1), ("d/b", 2), ("d/e/c", 0)], ["empty"]);
        Assert.Empty(Plan(tree, tree));
        Assert.Empty(Plan(tree, tree, checksum: false));
    }

    [Fact]
    public void NewFileIsCopiedAndCountsItsBytes()
    {
        var plan = PlanAndVerify(Tree(("d/new", 1)), Tree());
        Assert.Equal<FileAction>([new MakeDirectory("d"), new CopyFile("d/new", 11, MetaOf(1))], plan);
        Assert.Equal(11, FileSummary.Of(plan).BytesToCopy);
    }

    [Fact]
    public void ChangedFileIsUpdatedInPlace()
    {
        var plan = PlanAndVerify(Tree(("a", 1)), Tree(("a", 4)));
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void ExtraFilesAndDirectoriesAreDeletedLast()
    {
        var plan = PlanAndVerify(Tree(("z", 1)), Tree([("old/x", 2), ("y", 3)], ["old/empty"]));
        Assert.Equal<FileAction>(
            [new CopyFile("z", 11, MetaOf(1)), new DeleteFile("old/x"), new DeleteFile("y"), new RemoveDirectory("old/empty"), new RemoveDirectory("old")],
            plan);
    }

    [Fact]
    public void RenamedFileIsMovedAndCostsNoBytes()
    {
        var plan = PlanAndVerify(Tree(("photos/2024/cat.jpg", 5)), Tree(("inbox/cat.jpg", 5)));
        Assert.Contains(new MoveFile("inbox/cat.jpg", "photos/2024/cat.jpg", MetaOf(5), false), plan);
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
        Assert.Equal(1, FileSummary.Of(plan).Move);
    }

    [Fact]
    public void SwapOfTwoFilesNeedsNoTransfer()
    {
        var plan = PlanAndVerify(Tree(("a", 1), ("b", 2)), Tree(("a", 2), ("b", 1)));
        var summary = FileSummary.Of(plan);
        Assert.Equal(0, summary.BytesToCopy);
        Assert.Equal(1, summary.Stash);
        Assert.Equal(2, summary.Move);
        Assert.Equal(0, summary.Delete);
    }

    [Fact]
    public void RotationOfThreeFilesNeedsOneStash()
    {
        var plan = PlanAndVerify(Tree(("a", 1), ("b", 2), ("c", 3)), Tree(("b", 1), ("c", 2), ("a", 3)));
        Assert.Equal(1, FileSummary.Of(plan).Stash);
        Assert.Equal(3, FileSummary.Of(plan).Move);
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
    }

    [Fact]
    public void ChainOfRenamesNeedsNoStash()
    {
        // log rotation: every file moves one place along, the last one is new
        var plan = PlanAndVerify(
            Tree(("log.1", 1), ("log.2", 2), ("log.3", 3), ("log.4", 4)),
            Tree(("log.2", 1), ("log.3", 2), ("log.4", 3)));
        Assert.Equal(0, FileSummary.Of(plan).Stash);
        Assert.Equal(3, FileSummary.Of(plan).Move);
        Assert.Equal(1, FileSummary.Of(plan).Copy);
    }

    [Fact]
    public void FileBecomesDirectoryHoldingIt()
    {
        var plan = PlanAndVerify(Tree(("x/x", 2)), Tree(("x", 2)));
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
        Assert.Equal(1, FileSummary.Of(plan).Move);
    }

    [Fact]
    public void DirectoryBecomesFileFromInsideIt()
    {
        var plan = PlanAndVerify(Tree(("x", 2)), Tree(("x/inner", 2), ("x/other", 3)));
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
        Assert.Contains(plan, a => a is RemoveDirectory { Path: "x" });
    }

    [Fact]
    public void FileReplacedByDirectoryOfNewContent()
    {
        var plan = PlanAndVerify(Tree(("p/q", 1)), Tree(("p", 4)));
        Assert.Equal<FileAction>([new DeleteFile("p"), new MakeDirectory("p"), new CopyFile("p/q", 11, MetaOf(1))], plan);
    }

    [Fact]
    public void DuplicatedContentInSourceIsTransferredOnce()
    {
        var plan = PlanAndVerify(Tree(("a", 1), ("b", 1), ("c/d", 1)), Tree());
        Assert.Equal(1, FileSummary.Of(plan).Copy);
        Assert.Equal(2, FileSummary.Of(plan).LocalCopy);
        Assert.Equal(11, FileSummary.Of(plan).BytesToCopy);
    }

    [Fact]
    public void ContentKeptInDestIsCopiedLocally()
    {
        var plan = PlanAndVerify(Tree(("keep", 1), ("twin", 1)), Tree(("keep", 1)));
        Assert.Equal<FileAction>([new CopyLocal("keep", "twin", MetaOf(1), false)], plan);
    }

    [Fact]
    public void DuplicatedContentInDestIsMovedOnceAndTheRestDeleted()
    {
        var plan = PlanAndVerify(Tree(("new", 1)), Tree(("old1", 1), ("old2", 1)));
        Assert.Equal<FileAction>([new MoveFile("old1", "new", MetaOf(1), false), new DeleteFile("old2")], plan);
    }

    [Fact]
    public void MovePrefersTheHolderWithTheSameName()
    {
        var plan = PlanAndVerify(Tree(("b/report.txt", 1)), Tree(("a/notes.txt", 1), ("c/report.txt", 1)));
        Assert.Contains(new MoveFile("c/report.txt", "b/report.txt", MetaOf(1), false), plan);
    }

    [Fact]
    public void CaseOnlyRenameIsAMove()
    {
        var plan = PlanAndVerify(Tree(("README", 1)), Tree(("readme", 1)));
        Assert.Equal<FileAction>([new MoveFile("readme", "README", MetaOf(1), false)], plan);
    }

    [Fact]
    public void EmptyFilesAndDirectoriesAreMirrored()
    {
        var plan = PlanAndVerify(Tree([("empty.txt", 0)], ["a/b/c", "e"]), Tree([], ["z"]));
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
        Assert.Contains(new MakeDirectory("a/b/c"), plan);
        Assert.Contains(new RemoveDirectory("z"), plan);
    }

    [Fact]
    public void UnicodeAndSpacesInNamesArePlainPaths()
    {
        PlanAndVerify(Tree(("dossier é/fichier 1.txt", 1), ("日本/ファイル", 2)), Tree(("dossier é/ancien.txt", 1)));
    }

    [Fact]
    public void DeepPathsAreCreatedParentFirst()
    {
        var deep = string.Join('/', Enumerable.Range(0, 60).Select(i => "d" + i)) + "/leaf";
        var plan = PlanAndVerify(Tree((deep, 1)), Tree());
        Assert.Equal(60, FileSummary.Of(plan).Mkdir);
    }

    [Fact]
    public void SameBytesWithAnotherTimeAreTouchedNotCopied()
    {
        var source = Tree(("a", 1));
        var dest = new FileTree(
            new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["a"] = FileGens.Entry(1, variant: 1) },
            new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        var plan = PlanAndVerify(source, dest);
        Assert.Equal<FileAction>([new TouchFile("a", MetaOf(1))], plan);
    }

    [Fact]
    public void QuickCheckTrustsSizeAndTimeWithoutHashes()
    {
        var unhashed = FileGens.Entry(1) with { Hash = null };
        var tree = new FileTree(
            new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["a"] = unhashed },
            new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        Assert.Empty(FilePlanner.Plan(tree, tree, FilePlanOptions.Default));
        var request = FilePlanner.PathsToHash(tree, tree, FilePlanOptions.Default);
        Assert.Empty(request.Source);
        Assert.Empty(request.Dest);
    }

    [Fact]
    public void OnlyRenameCandidatesAreHashed()
    {
        // "moved" has a same-size counterpart on the other side; "fresh" has none; "same" passes the quick check.
        var source = Tree(("same", 1), ("moved", 2), ("fresh", 3));
        var dest = Tree(("same", 1), ("gone", 2));
        var request = FilePlanner.PathsToHash(source, dest, FilePlanOptions.Default);
        Assert.Equal(new[] { "moved" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "gone" }, request.Dest.Order(StringComparer.Ordinal));
        var all = FilePlanner.PathsToHash(source, dest, new FilePlanOptions(Checksum: true));
        Assert.Equal(new[] { "fresh", "moved", "same" }, all.Source.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FilesKeptAtTheirPathAreNotHashedToFindCopiesOfThem()
    {
        // "copy" has the size of "same", which stays where it is: no DEST file can be moved to "copy".
        var source = Tree(("same", 1), ("copy", 1), ("moved", 2));
        var dest = Tree(("same", 1), ("gone", 2));
        var request = FilePlanner.PathsToHash(source, dest, FilePlanOptions.Default);
        Assert.Equal(new[] { "moved" }, request.Source.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "gone" }, request.Dest.Order(StringComparer.Ordinal));
        var unchanged = FilePlanner.PathsToHash(source, source, FilePlanOptions.Default);
        Assert.Empty(unchanged.Source);
        Assert.Empty(unchanged.Dest);
    }

    [Fact]
    public void ChecksumFindsChangedBytesTheQuickCheckMisses()
    {
        var source = Tree(("a", 1));
        var sneaky = FileGens.Entry(1) with { Hash = new ContentHash(9, 9, 9, 9) };
        var dest = new FileTree(
            new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["a"] = sneaky },
            new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        Assert.Equal<FileAction>([new UpdateFile("a", 11, MetaOf(1))], Plan(source, dest, checksum: true));
    }

    [Fact]
    public void LinksInDestAreRemovedNeverUsedAsContent()
    {
        var link = FileGens.Entry(1) with { Kind = EntryKind.Link, LinkTarget = "elsewhere" };
        var dest = new FileTree(
            new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["l"] = link, ["m"] = link },
            new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        var plan = PlanAndVerify(Tree(("l", 1)), dest);
        Assert.Equal<FileAction>([new UpdateFile("l", 11, MetaOf(1)), new DeleteFile("m")], plan);
    }

    [Fact]
    public void PinnedDirectoriesAreNotRemoved()
    {
        var dest = Tree([("cache/x", 1)], ["cache/keep"]) with
        {
            Pinned = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal) { "cache/keep" },
        };
        var plan = Plan(Tree(), dest);
        Assert.Equal<FileAction>([new DeleteFile("cache/x")], plan);
    }

    [Fact]
    public void StashAvoidsNamesThatAreTaken()
    {
        var plan = PlanAndVerify(
            Tree(("a", 1), ("b", 2), (".reconcile-tmp", 3)),
            Tree(("a", 2), ("b", 1), (".reconcile-tmp", 3)));
        Assert.Contains(plan, a => a is StashFile { To: ".reconcile-tmp-1/0" });
        Assert.Contains(new RemoveDirectory(".reconcile-tmp-1"), plan);
    }

    [Fact]
    public void LeftoverStashFromAnInterruptedRunIsUsedThenRemoved()
    {
        var plan = PlanAndVerify(Tree(("a", 1), ("b", 2)), Tree(("b", 1), (".reconcile-tmp/0", 2)));
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);
        Assert.Contains(new RemoveDirectory(".reconcile-tmp"), plan);
    }
}
