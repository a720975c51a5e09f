using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>What each action tells about itself: its name, the DEST paths it changes, the bytes it takes from SOURCE.</summary>
public class FileActionFactsTests
{
    private static readonly FileMeta Meta = FileGens.Entry(1).Meta;

    private static readonly FileAction[] OneOfEach =
    [
        new CopyFile("c", 100, Meta),
        new UpdateFile("u", 30, Meta),
        new MoveFile("m1", "m2", Meta, false),
        new CopyLocal("l1", "l2", Meta, true),
        new StashFile("s", ".reconcile-tmp/0"),
        new TouchFile("t", Meta),
        new DeleteFile("d"),
        new MakeDirectory("k"),
        new RemoveDirectory("r"),
    ];

    [Fact]
    public void EachKindHasTheOpNameOfTheSpecAndNoTwoShareOne()
    {
        Assert.Equal(
            ["copy", "update", "move", "local_copy", "stash", "touch", "delete", "mkdir", "rmdir"],
            OneOfEach.Select(a => a.Op));
    }

    [Fact]
    public void OnlyTransfersFromSourceCostBytes()
    {
        Assert.Equal([100L, 30, 0, 0, 0, 0, 0, 0, 0], OneOfEach.Select(a => a.BytesFromSource));
        Assert.Equal(130, FileSummary.Of(OneOfEach.ToSeq()).BytesToCopy);
    }

    [Fact]
    public void AnActionTouchesTheDestPathsItChangesAndNotTheOnesItOnlyReads()
    {
        Assert.Equal(
            [["c"], ["u"], ["m1", "m2"], ["l2"], ["s", ".reconcile-tmp/0"], ["t"], ["d"], ["k"], ["r"]],
            OneOfEach.Select(a => a.Touches.ToArray()));
    }

    [Fact]
    public void TheTargetIsThePathOrFromArrowToAndNamesAFileItReplaces()
    {
        Assert.Equal(
            ["c", "u", "m1 → m2", "l1 → l2 (replaces l2)", "s → .reconcile-tmp/0", "t", "d", "k", "r"],
            OneOfEach.Select(a => a.Target));
    }

    [Fact]
    public void EveryPlannedActionIsCountedUnderItsOwnName()
    {
        var plan = Some.PlanAndVerify(
            Some.Tree(("a", 1), ("b", 2), ("c/d", 3), ("e", 4), ("f", 4)),
            Some.Tree(("b", 1), ("a", 2), ("x", 3), ("gone", 9)));
        var summary = FileSummary.Of(plan);
        Assert.Equal(plan.Count, summary.Total);
        Assert.Equal(plan.Count(a => a.Op == "move"), summary.Move);
        Assert.Equal(plan.Count(a => a.Op == "local_copy"), summary.LocalCopy);
        Assert.Equal(plan.Sum(a => a.BytesFromSource), summary.BytesToCopy);
    }
}
