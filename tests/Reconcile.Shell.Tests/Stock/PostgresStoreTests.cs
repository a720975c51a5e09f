using Npgsql;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>
/// The stock commands on a PostgreSQL store, on a real server (see <see cref="PostgresTestServer"/>):
/// the CSV store's plans, copies there and back, bad URLs, the lock and staleness, and two warehouses'
/// partial feeds reconciled into one store at the same time.
/// </summary>
public sealed class PostgresStoreTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string[] StateFiles(string directory) =>
        [.. new[] { "batches.csv", "allocations.csv", "unallocated.csv" }.Select(name => File.ReadAllText(Path.Combine(directory, name)))];

    private (string Root, string Feed, string Csv, string Url) SampleInBothStores()
    {
        var url = PostgresTestServer.NewStore();
        var root = temp.CopySample("stock", "stock");
        var copied = CliRun.Of("store", "copy", Path.Combine(root, "state"), url);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        return (root, Path.Combine(root, "feed.csv"), Path.Combine(root, "state"), url);
    }

    private static void Sql(string url, string sql) => Query(url, sql, command => command.ExecuteNonQuery());

    private static long Count(string url, string sql) => Query(url, sql, command => (long)command.ExecuteScalar()!);

    private static T Query<T>(string url, string sql, Func<NpgsqlCommand, T> run)
    {
        Assert.StartsWith(PostgresTestServer.Url, url, StringComparison.Ordinal);
        using var connection = PostgresTestServer.Connect();
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return run(command);
    }

    private static string SchemaOf(string url) => url.Split("schema=")[1];

    [SkippableFact]
    public void CsvToPostgresToCsvGivesByteIdenticalFilesAndTheSamePlan()
    {
        var (root, feed, csv, url) = SampleInBothStores();
        Assert.Equal(CliRun.Of("stock", "-n", "--format", "json", feed, csv).Stdout, CliRun.Of("stock", "-n", "--format", "json", feed, url).Stdout);
        var back = Path.Combine(root, "back");
        var copied = CliRun.Of("store", "copy", url, back);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.Equal(StateFiles(csv), StateFiles(back));
        Assert.Equal(CliRun.Of("stock", "-n", feed, csv).Stdout, CliRun.Of("stock", "-n", feed, back).Stdout);
    }

    [SkippableFact]
    public void CsvToSqliteToPostgresToCsvKeepsTheJournalEachCopyAddingItsEntry()
    {
        var url = PostgresTestServer.NewStore();
        var root = temp.CopySample("stock", "stock");
        var csv = Path.Combine(root, "state");
        Assert.Equal(0, CliRun.Of("stock", Path.Combine(root, "feed.csv"), csv).ExitCode);
        var history = File.ReadAllLines(Path.Combine(csv, "journal.jsonl"));
        var database = Path.Combine(root, "stock.db");
        var back = Path.Combine(root, "back");
        foreach (var (from, to) in new[] { (csv, database), (database, url), (url, back) })
        {
            var copied = CliRun.Of("store", "copy", from, to);
            Assert.True(copied.ExitCode == 0, copied.ToString());
        }
        Assert.Equal(StateFiles(csv), StateFiles(back));
        var journal = File.ReadAllLines(Path.Combine(back, "journal.jsonl"));
        Assert.Equal(history.Length + 3, journal.Length);
        Assert.Equal(history, journal.Take(history.Length));
        Assert.All(journal.Skip(history.Length), entry => Assert.Contains("\"command\":\"store copy\"", entry, StringComparison.Ordinal));
        Assert.Contains("\"from\":\"" + PostgresTestServer.WithoutPassword(url), journal[^1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ARunGivesTheSameStateAsOnTheCsvStoreAndThePasswordIsNeverWritten()
    {
        var (root, feed, csv, url) = SampleInBothStores();
        var plan = Path.Combine(root, "plan.json");
        var dry = CliRun.Of("stock", "-n", "--plan-out", plan, feed, url);
        Assert.Equal(0, dry.ExitCode);
        var apply = CliRun.Of("apply", plan);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(0, CliRun.Of("stock", feed, csv).ExitCode);
        var back = Path.Combine(root, "back");
        var copied = CliRun.Of("store", "copy", url, back);
        Assert.Equal(StateFiles(csv), StateFiles(back));
        Assert.Contains("\"store\": \"" + PostgresTestServer.WithoutPassword(url), File.ReadAllText(plan), StringComparison.Ordinal);
        if (PostgresTestServer.Password is { } password)
        {
            foreach (var text in new[] { File.ReadAllText(plan), dry.Stdout, dry.Stderr, apply.Stdout, apply.Stderr, copied.Stdout, File.ReadAllText(Path.Combine(back, "journal.jsonl")) })
            {
                Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            }
        }
    }

    [SkippableFact]
    public void ACopyIntoAStoreThatHoldsAnythingIsRefusedWithExitThree()
    {
        var (_, _, csv, url) = SampleInBothStores();
        var again = CliRun.Of("store", "copy", csv, url);
        Assert.Equal(ExitCodes.Refused, again.ExitCode);
        Assert.Contains("must be new or empty", again.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ARowEditedByHandIsReportedByItsKeyAndAStalePlanIsRefused()
    {
        var (root, feed, _, url) = SampleInBothStores();
        var plan = Path.Combine(root, "plan.json");
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", plan, feed, url).ExitCode);
        Sql(url, $"INSERT INTO {SchemaOf(url)}.allocations (orderid, sku, qty, batchref) VALUES ('o1', 'LAMP', '1', 'b9')");
        var run = CliRun.Of("stock", feed, url);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("allocations: orderid=o1 sku=LAMP: allocation names unknown batch 'b9'", run.Stderr, StringComparison.Ordinal);
        var apply = CliRun.Of("apply", plan);
        Assert.Equal(ExitCodes.Refused, apply.ExitCode);
        Assert.Contains("stale plan", apply.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ASecondWriterExitsFourNamingTheHolder()
    {
        var (_, feed, _, url) = SampleInBothStores();
        using (Reconcile.Shell.Stock.StockStores.Open(url).Lock())
        {
            var run = ExeRun.Of(null, "stock", feed, url);
            Assert.Equal(ExitCodes.Locked, run.ExitCode);
            Assert.Contains($"process {Environment.ProcessId}", run.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(0, CliRun.Of("stock", feed, url).ExitCode);
    }

    [SkippableTheory]
    [InlineData("postgres://", "not a PostgreSQL URL")]
    [InlineData("postgresql://someone@127.0.0.1:1/db", "cannot connect")]
    public void AUrlThatNamesNoReachableStoreIsBadInput(string url, string message)
    {
        var root = temp.CopySample("stock", "stock");
        var run = CliRun.Of("stock", Path.Combine(root, "feed.csv"), url);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AMissingSchemaOrDatabaseIsBadInput()
    {
        var root = temp.CopySample("stock", "stock");
        var feed = Path.Combine(root, "feed.csv");
        var missingSchema = CliRun.Of("stock", feed, PostgresTestServer.NewStore());
        Assert.Equal(ExitCodes.BadInput, missingSchema.ExitCode);
        Assert.Contains("not a stock store", missingSchema.Stderr, StringComparison.Ordinal);
        var uri = new Uri(PostgresTestServer.Url);
        var missingDatabase = CliRun.Of("stock", feed, $"postgres://{uri.UserInfo}@{uri.Host}:{uri.Port}/no_such_database_{Guid.NewGuid():N}");
        Assert.Equal(ExitCodes.BadInput, missingDatabase.ExitCode);
        Assert.Contains("does not exist", missingDatabase.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AWrongPasswordIsBadInputAndIsNotPrinted()
    {
        var root = temp.CopySample("stock", "stock");
        var feed = Path.Combine(root, "feed.csv");
        var uri = new Uri(PostgresTestServer.Url);
        Skip.If(PostgresTestServer.Password is null, "the test server takes no password, so a wrong one cannot be refused");
        var wrong = CliRun.Of("stock", feed, $"postgres://{uri.UserInfo.Split(':')[0]}:not-the-password@{uri.Host}:{uri.Port}{uri.AbsolutePath}");
        Assert.Equal(ExitCodes.BadInput, wrong.ExitCode);
        Assert.Contains("password authentication failed", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", wrong.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TwoWarehousesPartialFeedsAtTheSameTimeBothEndAppliedWithNothingLostOrOverAllocated()
    {
        var (root, _, _, url) = SampleInBothStores();
        // Each warehouse sends only its own batches: one shrinks batch-001 (its lines must move), the
        // other adds stock of the lamp and a new batch.
        var east = Path.Combine(root, "east.csv");
        var west = Path.Combine(root, "west.csv");
        File.WriteAllText(east, "ref,sku,qty,eta\nbatch-001,RED-CHAIR,2,\nbatch-002,RED-CHAIR,30,2025-03-01\n");
        File.WriteAllText(west, "ref,sku,qty,eta\nbatch-003,TASTELESS-LAMP,9,\nbatch-100,GREEN-CURTAIN,5,\n");
        var runs = new[] { east, west }
            .Select(feed => Task.Run(() => ExeRun.Of(null, "stock", "--mode", "partial", "--wait", "600", "-q", feed, url)))
            .ToArray();
        Task.WaitAll(runs);
        Assert.All(runs, run => Assert.True(run.Result.ExitCode == 0, run.Result.ToString()));

        Assert.Equal(0, CliRun.Of("stock", "--check", "--mode", "partial", east, url).ExitCode);
        Assert.Equal(0, CliRun.Of("stock", "--check", "--mode", "partial", west, url).ExitCode);
        var back = Path.Combine(root, "after");
        Assert.Equal(0, CliRun.Of("store", "copy", url, back).ExitCode);
        var batches = File.ReadAllLines(Path.Combine(back, "batches.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(b => b[0], b => long.Parse(b[2], System.Globalization.CultureInfo.InvariantCulture));
        var allocations = File.ReadAllLines(Path.Combine(back, "allocations.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var unallocated = Path.Combine(back, "unallocated.csv");
        var backorders = File.Exists(unallocated) ? File.ReadAllLines(unallocated).Skip(1).Select(l => l.Split(',')).ToList() : [];
        Assert.Equal(2, batches["batch-001"]);
        Assert.Equal(9, batches["batch-003"]);
        Assert.Equal(5, batches["batch-100"]);
        foreach (var (batch, qty) in batches)
        {
            Assert.True(allocations.Where(a => a[3] == batch).Sum(a => long.Parse(a[2], System.Globalization.CultureInfo.InvariantCulture)) <= qty, $"{batch} is over-allocated");
        }
        // The seven order lines of the sample are all still there, each once.
        var lines = allocations.Select(a => (a[0], a[1])).Concat(backorders.Select(b => (b[0], b[1]))).ToList();
        Assert.Equal(7, lines.Count);
        Assert.Equal(7, lines.Distinct().Count());
        Assert.Equal(3L, Count(url, $"SELECT count(*) FROM {SchemaOf(url)}.journal"));
    }
}
