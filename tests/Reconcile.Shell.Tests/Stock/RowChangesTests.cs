using LanguageExt;
using Reconcile.Shell.Stock;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>What a database store writes for a plan: only the rows that changed, each at the place that keeps the table's order.</summary>
public sealed class RowChangesTests
{
    /// <summary>Where rows a, b and c were read.</summary>
    private static readonly long[] Seqs = [10, 20, 30];

    private static Seq<(string Key, int Value)> Rows(params (string, int)[] rows) => rows.ToSeq();

    private static RowChanges<(string Key, int Value)> Changes(Seq<(string Key, int Value)> after) =>
        RowChanges<(string Key, int Value)>.Of(Rows(("a", 1), ("b", 2), ("c", 3)), after, r => r.Key, Seqs);

    [Fact]
    public void RowsLeftAloneAreNotWritten()
    {
        var changes = Changes(Rows(("a", 1), ("b", 2), ("c", 3)));
        Assert.False(changes.RewriteAll);
        Assert.Empty(changes.Deletes);
        Assert.Empty(changes.Updates);
        Assert.Empty(changes.Inserts);
    }

    [Fact]
    public void AChangedRowIsUpdatedInPlaceAndARemovedOneDeleted()
    {
        var changes = Changes(Rows(("a", 1), ("c", 9)));
        Assert.Equal([20L], changes.Deletes);
        Assert.Equal([(("c", 9), 30L)], changes.Updates);
        Assert.Empty(changes.Inserts);
    }

    [Fact]
    public void ANewRowGetsASeqBetweenItsNeighboursOrAfterTheLast()
    {
        var changes = Changes(Rows(("a", 1), ("x", 7), ("b", 2), ("c", 3), ("y", 8)));
        Assert.False(changes.RewriteAll);
        var seqs = changes.Inserts.ToDictionary(i => i.Row.Key, i => i.Seq);
        Assert.InRange(seqs["x"], 11, 19);
        Assert.True(seqs["y"] > 30);
    }

    [Fact]
    public void ARowMovedToTheEndIsDeletedAndWrittenThere()
    {
        var changes = Changes(Rows(("b", 2), ("c", 3), ("a", 1)));
        Assert.False(changes.RewriteAll);
        Assert.Equal([10L], changes.Deletes);
        var moved = Assert.Single(changes.Inserts);
        Assert.Equal(("a", 1), moved.Row);
        Assert.True(moved.Seq > 30);
    }

    [Fact]
    public void WhenAGapIsFullTheTableIsWrittenAgainInOrder()
    {
        long[] tight = [1, 2];
        var changes = RowChanges<(string Key, int Value)>.Of(Rows(("a", 1), ("b", 2)), Rows(("a", 1), ("x", 7), ("b", 2)), r => r.Key, tight);
        Assert.True(changes.RewriteAll);
        Assert.Equal(["a", "x", "b"], changes.Inserts.Select(i => i.Row.Key));
        Assert.Equal(changes.Inserts.Select(i => i.Seq).Order(), changes.Inserts.Select(i => i.Seq));
    }
}
