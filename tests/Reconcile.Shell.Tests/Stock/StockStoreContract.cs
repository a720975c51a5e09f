using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using Reconcile.Shell.Stock;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>
/// What every stock store must do, whatever holds the state: a store is done when a class deriving from
/// this one, giving it an empty store of its kind, passes. Two runs are two stores opened on the same
/// locator.
/// </summary>
public abstract class StockStoreContract
{
    /// <summary>A new, empty store of the adapter under test.</summary>
    private protected abstract IStockStore EmptyStore();

    private static readonly StockState Some = new(
        new[] { new Batch("b1", "CHAIR", 10, null), new Batch("b2", "LAMP", 3_000_000_000, new DateOnly(2031, 1, 2)) }.ToSeq(),
        new[] { new Allocation("o1", "CHAIR", 4, "b1") }.ToSeq(),
        new[] { new OrderLine("o2", "SOFA", 2) }.ToSeq());

    private static StockChange Change(StockState before, StockState after) =>
        new(before, after, new JournalEntry(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "stock", [], [new InputFile("feed.csv", true, new string('a', 64))], new[] { (StockAction)new RemoveBatch("x") }.ToSeq()));

    private static StockState StateOf(StoreSnapshot snapshot)
    {
        Assert.Empty(snapshot.FileErrors);
        Assert.Empty(snapshot.RowErrors);
        return StockValidator.ValidateState(snapshot.Rows).Match(s => s, e => throw new InvalidOperationException(string.Join("\n", e)));
    }

    private static IStockStore Again(IStockStore store) => StockStores.Open(store.Locator);

    private static void Commit(IStockStore store, StoreVersion version, StockState before, StockState after)
    {
        using var held = store.Lock();
        Assert.True(store.Commit(version, () => Change(before, after)).IsNone);
    }

    [SkippableFact]
    public void AnEmptyStoreReadsAsAnEmptyStateWithAVersion()
    {
        var snapshot = EmptyStore().Read(versioned: true);
        Assert.Equal(StockState.Empty, StateOf(snapshot));
        Assert.NotNull(snapshot.Version);
    }

    [SkippableFact]
    public void TheLocatorOpensTheSameStore()
    {
        var store = EmptyStore();
        Assert.Equal(store.Locator, Again(store).Locator);
    }

    [SkippableFact]
    public void ACommittedChangeIsWhatTheNextRunReads()
    {
        var store = EmptyStore();
        Commit(store, store.Read(versioned: true).Version!, StockState.Empty, Some);
        Assert.Equal(Some, StateOf(Again(store).Read(versioned: true)));
    }

    [SkippableFact]
    public void TheVersionChangesWithACommitAndOnlyThen()
    {
        var store = EmptyStore();
        var first = store.Read(versioned: true).Version!;
        Assert.Equal(first, Again(store).Read(versioned: true).Version);
        Commit(store, first, StockState.Empty, Some);
        var second = Again(store).Read(versioned: true).Version!;
        Assert.NotEqual(first, second);
        Assert.NotEqual("", store.Changes(first, second));
    }

    [SkippableFact]
    public void ACommitFromAStaleVersionIsRefusedAndWritesNothing()
    {
        var planning = EmptyStore();
        var stale = planning.Read(versioned: true).Version!;
        var other = Again(planning);
        Commit(other, other.Read(versioned: true).Version!, StockState.Empty, Some);

        var elsewhere = Some with { Backorders = new[] { new OrderLine("o9", "CHAIR", 1) }.ToSeq() };
        Option<Problem> refused;
        using (planning.Lock())
        {
            refused = planning.Commit(stale, () => Change(StockState.Empty, elsewhere));
        }
        var problem = refused.IfNone(() => throw new InvalidOperationException("the stale commit went ahead"));
        Assert.Equal(ProblemKind.Refused, problem.Kind);
        Assert.Equal(ExitCodes.Refused, Cli.ExitCodeOf(problem));
        Assert.Equal(Some, StateOf(Again(planning).Read(versioned: true)));
    }

    [SkippableFact]
    public void ACommitsHistoryIsJournaledBeforeItsEntryAndReadBackAsItWas()
    {
        var store = EmptyStore();
        Assert.Empty(store.Journal());
        string[] history = ["{\"time\":\"2025-12-31T00:00:00.0000000Z\",\"command\":\"stock\",\"note\":\"é, \\\"quoted\\\"\"}", "{\"command\":\"allocate\"}"];
        using (store.Lock())
        {
            Assert.True(store.Commit(store.Read(versioned: true).Version!, () => Change(StockState.Empty, Some) with { History = history }).IsNone);
        }
        var journal = Again(store).Journal();
        Assert.Equal(3, journal.Count);
        Assert.Equal(history, journal.Take(2));
        Assert.StartsWith("{\"time\":\"2026-01-02T03:04:05", journal[2], StringComparison.Ordinal);
        Assert.Equal(Some, StateOf(Again(store).Read(versioned: true)));

        // A later commit's entry follows them.
        var next = Again(store);
        var version = next.Read(versioned: true).Version!;
        var later = Change(Some, StockState.Empty);
        using (next.Lock())
        {
            Assert.True(next.Commit(version, () => later with { Entry = later.Entry with { Time = later.Entry.Time.AddDays(1) } }).IsNone);
        }
        var after = Again(store).Journal();
        Assert.Equal(journal, after.Take(3));
        Assert.Equal(4, after.Count);
        Assert.StartsWith("{\"time\":\"2026-01-03T03:04:05", after[3], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ASecondRunCannotTakeTheLockAndIsToldWhoHoldsIt()
    {
        var store = EmptyStore();
        using (store.Lock())
        {
            var stopped = Assert.Throws<RunStoppedException>(() => Again(store).Lock());
            Assert.Equal(ProblemKind.Locked, stopped.Problem.Kind);
            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), stopped.Problem.Message, StringComparison.Ordinal);
        }
        Again(store).Lock().Dispose();
    }

    [SkippableFact]
    public void RecoveringAStoreWithNothingInterruptedChangesNothing()
    {
        var store = EmptyStore();
        Commit(store, store.Read(versioned: true).Version!, StockState.Empty, Some);
        var version = Again(store).Read(versioned: true).Version;
        Again(store).Recover();
        var after = Again(store).Read(versioned: true);
        Assert.Equal(version, after.Version);
        Assert.Equal(Some, StateOf(after));
    }
}

/// <summary>The CSV folder passes the store contract.</summary>
public sealed class CsvStockStoreContractTests : StockStoreContract, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private protected override IStockStore EmptyStore()
    {
        var state = temp.Combine("state-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "batches.csv"), "ref,sku,qty,eta\n");
        return StockStores.Open(state);
    }
}

/// <summary>The SQLite database passes the store contract.</summary>
public sealed class SqliteStockStoreContractTests : StockStoreContract, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private protected override IStockStore EmptyStore()
    {
        var database = temp.Combine("state-" + Guid.NewGuid().ToString("N") + ".db");
        StoreCommand.Init(database);
        return StockStores.Open(database);
    }
}

/// <summary>PostgreSQL passes the store contract (each store a schema of its own on the test server).</summary>
public sealed class PostgresStockStoreContractTests : StockStoreContract
{
    private protected override IStockStore EmptyStore()
    {
        var url = PostgresTestServer.NewStore();
        StoreCommand.Init(url);
        return StockStores.Open(url);
    }
}
