using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>Which actions may run side by side, and what still runs after a failure.</summary>
public class FileExecutionRulesTests
{
    private static readonly FileMeta Meta = FileGens.Entry(1).Meta;

    private static readonly FileAction[] Plan =
    [
        new MakeDirectory("d"),
        new CopyFile("d/a", 1, Meta),
        new UpdateFile("b", 2, Meta),
        new MoveFile("x", "y", Meta, false),
        new CopyFile("c", 3, Meta),
        new TouchFile("t1", Meta),
        new TouchFile("t2", Meta),
        new DeleteFile("old1"),
        new DeleteFile("old2"),
        new DeleteFile("old3"),
        new RemoveDirectory("e"),
    ];

    [Fact]
    public void RunsOfTransfersMetadataOrDeletionsGoSideBySideAndNothingCrossesAMoveOrDirectoryChange()
    {
        Assert.Equal(
            new ActionBatch[] { new(0, 1, false), new(1, 3, true), new(3, 4, false), new(4, 5, false), new(5, 7, true), new(7, 10, true), new(10, 11, false) },
            FileExecutionRules.Batches(Plan, backups: false));
    }

    [Fact]
    public void WithBackupsEveryActionRunsAloneInOrder()
    {
        var batches = FileExecutionRules.Batches(Plan, backups: true);
        Assert.Equal(Enumerable.Range(0, Plan.Length).Select(i => new ActionBatch(i, i + 1, false)), batches);
    }

    [Fact]
    public void TheBatchesCoverThePlanInOrderAndHoldOneKindEach()
    {
        var batches = FileExecutionRules.Batches(Plan, backups: false);
        Assert.Equal(Enumerable.Range(0, Plan.Length), batches.SelectMany(b => Enumerable.Range(b.Start, b.End - b.Start)));
        Assert.All(batches, b => Assert.Single(Plan[b.Start..b.End].Select(a => a.Op == "update" ? "copy" : a.Op).Distinct()));
        Assert.Empty(FileExecutionRules.Batches([], backups: false));
    }

    [Fact]
    public void AfterAFailureOnlyDeletionsAndDirectoryRemovalsStop() =>
        Assert.Equal(
            [true, true, true, true, true, true, true, false, false, false, false],
            Plan.Select(FileExecutionRules.RunsAfterAFailure));
}
