using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

public class FileSummaryTests
{
    private static readonly FileMeta Meta = FileGens.Entry(1).Meta;

    [Fact]
    public void EveryKindIsCountedAndOnlyTransfersCostBytes()
    {
        var plan = new FileAction[]
        {
            new CopyFile("c1", 100, Meta),
            new CopyFile("c2", 20, Meta),
            new UpdateFile("u1", 3000, Meta),
            new UpdateFile("u2", 400, Meta),
            new UpdateFile("u3", 5, Meta),
            new MoveFile("m1", "m2", Meta, false),
            new CopyLocal("l1", "l2", Meta, false),
            new CopyLocal("l1", "l3", Meta, true),
            new StashFile("s1", ".reconcile-tmp/0"),
            new TouchFile("t1", Meta),
            new TouchFile("t2", Meta),
            new TouchFile("t3", Meta),
            new TouchFile("t4", Meta),
            new DeleteFile("d1"),
            new DeleteFile("d2"),
            new MakeDirectory("k1"),
            new RemoveDirectory("r1"),
            new RemoveDirectory("r2"),
            new RemoveDirectory("r3"),
        }.ToSeq();
        var summary = FileSummary.Of(plan);
        Assert.Equal(new FileSummary(Copy: 2, Update: 3, Move: 1, LocalCopy: 2, Stash: 1, Touch: 4, Delete: 2, Mkdir: 1, Rmdir: 3, BytesToCopy: 3525) { CopyBytes = 120, UpdateBytes = 3405 }, summary);
        Assert.Equal(19, summary.Total);
    }

    [Fact]
    public void TotalAddsEveryKind()
    {
        Assert.Equal(511, new FileSummary(1, 2, 4, 8, 16, 32, 64, 128, 256, 0).Total);
        Assert.Equal(0, FileSummary.Of([]).Total);
    }
}
