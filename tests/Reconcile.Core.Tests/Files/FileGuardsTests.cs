using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>The files job's refusals and what DEST entries a run leaves alone, as plain values.</summary>
public class FileGuardsTests
{
    private static readonly FileEntry Link = FileEntry.Link("elsewhere", 0);

    private static Problem? Check(FileTree source, FileTree dest, bool allowEmpty = false, int? maxDelete = null) =>
        FileGuards.Check("S", "D", allowEmpty, maxDelete, source, dest, Some.Plan(source, dest));

    [Fact]
    public void AMissingSourceIsRefusedWhenDestHasEntriesAndBadInputWhenItHasNone()
    {
        Assert.Equal(ProblemKind.Refused, FileGuards.MissingSource("S", "D", destHasEntries: true).Kind);
        Assert.Equal(Problem.BadInput("SOURCE S does not exist"), FileGuards.MissingSource("S", "D", destHasEntries: false));
    }

    [Fact]
    public void ASourceWithoutFilesIsRefusedWhileDestHasFilesUnlessAllowed()
    {
        var empty = Some.Dirs("a", "a/b");
        var dest = Some.Tree(("a/x", 1));
        Assert.Equal(ProblemKind.Refused, Check(empty, dest)?.Kind);
        Assert.Null(Check(empty, dest, allowEmpty: true));
        Assert.Null(Check(empty, Some.Dirs("z")));
    }

    [Fact]
    public void LinksLeftInDestAreNotFilesThatAnEmptySourceWouldDelete()
    {
        var dest = new FileTree(new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["l"] = Link }, FileTree.Empty.Directories);
        Assert.Null(FileGuards.Check("S", "D", false, null, FileTree.Empty, dest, []));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    [InlineData(0, true)]
    public void MaxDeleteRefusesAPlanThatDeletesMoreFiles(int? maxDelete, bool refused)
    {
        var problem = Check(Some.Tree(("keep", 1)), Some.Tree(("keep", 1), ("x", 2), ("y", 3), ("z", 4)), maxDelete: maxDelete);
        Assert.Equal(refused ? Problem.Refused($"the plan deletes 3 files, more than --max-delete {maxDelete}; nothing was changed") : null, problem);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void AMoveThatReplacesAFileCountsTowardMaxDelete(int maxDelete, bool refused)
    {
        var meta = FileGens.Entry(1).Meta;
        Seq<FileAction> plan = new FileAction[] { new MoveFile("a", "b", meta, Replaces: true), new DeleteFile("c") }.ToSeq();
        var problem = FileGuards.Check("S", "D", false, maxDelete, Some.Tree(("b", 1)), Some.Tree(("a", 1), ("b", 2), ("c", 3)), plan);
        Assert.Equal(refused ? Problem.Refused($"the plan deletes 1 and replaces 1 files, more than --max-delete {maxDelete}; nothing was changed") : null, problem);
    }

    [Fact]
    public void AMoveThatReplacesAFileSaysSoInItsDescription()
    {
        var meta = FileGens.Entry(1).Meta;
        Assert.Equal("a → b (replaces b)", new MoveFile("a", "b", meta, Replaces: true).Target);
        Assert.Equal("a → b", new MoveFile("a", "b", meta, Replaces: false).Target);
        Assert.Equal("a → b (replaces b)", new CopyLocal("a", "b", meta, Replaces: true).Target);
    }

    [Fact]
    public void ADestLinkWhereSourceHasALinkIsLeftAloneAndItsDirectoryKept()
    {
        var dest = new FileTree(
            new Dictionary<string, FileEntry>(StringComparer.Ordinal) { ["d/l"] = Link, ["d/other"] = Link, ["f"] = FileGens.Entry(1) },
            new System.Collections.Generic.HashSet<string>(["d"], StringComparer.Ordinal));
        var left = FileGuards.LeaveAlone(dest, ["d/l"], new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        Assert.Equal(["d/other", "f"], left.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("d", left.Pinned);
        var plan = Some.Plan(Some.Dirs("d"), left);
        Assert.DoesNotContain(plan, a => a.Touches.Contains("d/l") || a is RemoveDirectory { Path: "d" });
    }

    [Fact]
    public void WhatLiesUnderAnUnreadableSourceDirectoryIsLeftAlone()
    {
        var dest = Some.Tree([("closed/kept", 1), ("closed/deeper/x", 2), ("open", 3)], ["closed", "closed/deeper"]);
        var left = FileGuards.LeaveAlone(dest, [], new System.Collections.Generic.HashSet<string>(["closed"], StringComparer.Ordinal));
        Assert.Equal(["open"], left.Files.Keys);
        Assert.Equal(["closed"], left.Directories);
        Assert.Contains("closed", left.Pinned);
    }

    [Fact]
    public void NothingToLeaveAloneGivesDestAsItIs()
    {
        var dest = Some.Tree(("a", 1));
        Assert.Same(dest, FileGuards.LeaveAlone(dest, [], new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal)));
    }
}
