using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using Reconcile.Shell.Stock;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>A state that another run changed between this run's reading and its commit is refused (exit 3).</summary>
public sealed class StaleStateTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The CSV store, with another run's write landing right after this run read it.</summary>
    private sealed class ChangedAfterReading(IStockStore store, Action otherRun) : IStockStore
    {
        public string Locator => store.Locator;

        public void Recover() => store.Recover();

        public StoreSnapshot Read(bool versioned)
        {
            var snapshot = store.Read(versioned);
            otherRun();
            return snapshot;
        }

        public IDisposable Lock() => store.Lock();

        public Option<Problem> Commit(StoreVersion expected, Func<StockChange> prepare) => store.Commit(expected, prepare);

        public string Changes(StoreVersion then, StoreVersion now) => store.Changes(then, now);

        public IReadOnlyList<string> Journal() => store.Journal();
    }

    [Fact]
    public void AStateChangedWhileTheRunWasPlanningIsRefusedWithExitThreeAndNothingChanged()
    {
        var sample = temp.CopySample("stock", "stock");
        var state = Path.Combine(sample, "state");
        var batches = Path.Combine(state, "batches.csv");
        var theirs = File.ReadAllText(batches) + "batch-100,RED-CHAIR,1,\n";
        var allocations = File.ReadAllText(Path.Combine(state, "allocations.csv"));
        var store = new ChangedAfterReading(StockStores.Open(state), () => File.WriteAllText(batches, theirs));
        var job = new StockJob(new StockRequest(StockJobKind.Stock, Path.Combine(sample, "feed.csv"), state, StockMode.Full, null), store, TimeProvider.System);

        var stopped = Assert.Throws<RunStoppedException>(() => job.Run(dryRun: false, check: false, planOut: null, OutputFormat.Text, TextWriter.Null));

        Assert.Equal(ExitCodes.Refused, Cli.ExitCodeOf(stopped.Problem));
        Assert.Contains("another run changed STATE while this one was planning", stopped.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(theirs, File.ReadAllText(batches));
        Assert.Equal(allocations, File.ReadAllText(Path.Combine(state, "allocations.csv")));
        Assert.False(File.Exists(Path.Combine(state, "journal.jsonl")));
    }
}
