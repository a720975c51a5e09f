using Microsoft.Data.Sqlite;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>
/// The stock commands on an SQLite store: the same plans, output and exit codes as on the CSV folder it
/// was copied from; a database edited by hand validated like the files; its schema, lock and staleness.
/// </summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Root, string Feed, string Csv, string Database) SampleInBothStores()
    {
        var root = temp.CopySample("stock", "stock");
        var database = Path.Combine(root, "stock.db");
        var copied = CliRun.Of("store", "copy", Path.Combine(root, "state"), database);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        return (root, Path.Combine(root, "feed.csv"), Path.Combine(root, "state"), database);
    }

    private static void Sql(string database, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string[] StateFiles(string directory) =>
        [.. new[] { "batches.csv", "allocations.csv", "unallocated.csv" }.Select(name => File.ReadAllText(Path.Combine(directory, name)))];

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void ADryRunPrintsTheSamePlanAsOnTheCsvStore(string format)
    {
        var (_, feed, csv, database) = SampleInBothStores();
        var onCsv = CliRun.Of("stock", "-n", "--format", format, feed, csv);
        var onDatabase = CliRun.Of("stock", "-n", "--format", format, feed, database);
        Assert.Equal(0, onDatabase.ExitCode);
        Assert.Contains("batch-006", onDatabase.Stdout, StringComparison.Ordinal);
        Assert.Equal(onCsv.Stdout, onDatabase.Stdout);
    }

    [Fact]
    public void SavedPlansDifferFromTheCsvStoresOnlyInTheStoreTheyName()
    {
        var (root, feed, csv, database) = SampleInBothStores();
        var csvPlan = Path.Combine(root, "csv-plan.json");
        var databasePlan = Path.Combine(root, "db-plan.json");
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", csvPlan, feed, csv).ExitCode);
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", databasePlan, feed, database).ExitCode);
        static string[] WithoutStore(string path) =>
            [.. File.ReadAllLines(path).Where(line => !line.Contains("\"store", StringComparison.Ordinal))];
        Assert.Equal(WithoutStore(csvPlan), WithoutStore(databasePlan));
        Assert.Contains("\"store\": \"sqlite:" + database + "\"", File.ReadAllText(databasePlan), StringComparison.Ordinal);
    }

    [Fact]
    public void ARunThenACopyBackGivesTheSameFilesAsTheRunOnTheCsvStore()
    {
        var (root, feed, csv, database) = SampleInBothStores();
        var onDatabase = CliRun.Of("stock", feed, database);
        var onCsv = CliRun.Of("stock", feed, csv);
        Assert.Equal(onCsv.Stdout, onDatabase.Stdout);
        var back = Path.Combine(root, "back");
        Assert.Equal(0, CliRun.Of("store", "copy", database, back).ExitCode);
        Assert.Equal(StateFiles(csv), StateFiles(back));
        Assert.Equal("", CliRun.Of("stock", "-n", feed, database).Stdout.Split("summary")[0]);
    }

    [Fact]
    public void CsvToSqliteToCsvGivesByteIdenticalFilesAndTheSamePlan()
    {
        var (root, feed, csv, database) = SampleInBothStores();
        var back = Path.Combine(root, "back");
        var copied = CliRun.Of("store", "copy", database, back);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.Equal(StateFiles(csv), StateFiles(back));
        Assert.Equal(CliRun.Of("stock", "-n", feed, csv).Stdout, CliRun.Of("stock", "-n", feed, back).Stdout);
    }

    [Fact]
    public void ACopyTakesTheJournalAlongAndAddsItsOwnEntry()
    {
        var (root, feed, csv, _) = SampleInBothStores();
        Assert.Equal(0, CliRun.Of("stock", feed, csv).ExitCode);
        var history = File.ReadAllLines(Path.Combine(csv, "journal.jsonl"));
        var database = Path.Combine(root, "after.db");
        var back = Path.Combine(root, "back");
        Assert.Equal(0, CliRun.Of("store", "copy", csv, database).ExitCode);
        Assert.Equal(0, CliRun.Of("store", "copy", database, back).ExitCode);
        var journal = File.ReadAllLines(Path.Combine(back, "journal.jsonl"));
        Assert.Equal(history.Length + 2, journal.Length);
        Assert.Equal(history, journal.Take(history.Length));
        Assert.Contains("\"command\":\"store copy\",\"from\":\"" + Path.GetFullPath(csv), journal[^2], StringComparison.Ordinal);
        Assert.Contains("\"command\":\"store copy\",\"from\":\"sqlite:" + Path.GetFullPath(database), journal[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void ACopyIntoAStoreThatHoldsAnythingIsRefusedWithExitThree()
    {
        var (root, _, csv, database) = SampleInBothStores();
        var before = File.ReadAllBytes(database);
        var again = CliRun.Of("store", "copy", csv, database);
        Assert.Equal(ExitCodes.Refused, again.ExitCode);
        Assert.Contains("must be new or empty", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(database));
        var intoFiles = CliRun.Of("store", "copy", database, csv);
        Assert.Equal(ExitCodes.Refused, intoFiles.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(root, "state", ".reconcile-pending")));
    }

    [Fact]
    public void ARowEditedByHandIsReportedByItsKeyAndNothingIsChanged()
    {
        var (_, feed, _, database) = SampleInBothStores();
        Sql(database, "INSERT INTO allocations (orderid, sku, qty, batchref) VALUES ('o1', 'LAMP', 1, 'b9'); UPDATE batches SET qty = 'many' WHERE ref = 'batch-003'");
        var before = File.ReadAllBytes(database);
        var run = CliRun.Of("stock", feed, database);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("batches: ref=batch-003: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("allocations: orderid=o1 sku=LAMP: allocation names unknown batch 'b9'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 bad rows", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(database));
    }

    [Fact]
    public void ARowEditedByHandFarDownALargeTableIsReportedByItsOwnKey()
    {
        // Rows are written 65536 seqs apart: the 40000th lies far beyond any line number a seq could be.
        var database = Path.Combine(temp.Path, "large.db");
        Assert.Equal(0, CliRun.Of("store", "init", database).ExitCode);
        Sql(database, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
            INSERT INTO batches (seq, ref, sku, qty, eta) SELECT i * 65536, 'b' || i, 'LAMP', 10, NULL FROM n;
            UPDATE batches SET qty = 'many' WHERE ref = 'b39999';
            """);
        var feed = Path.Combine(temp.Path, "feed.csv");
        File.WriteAllText(feed, "ref,sku,qty,eta\nb1,LAMP,10,\n");
        var run = CliRun.Of("stock", "--dry-run", feed, database);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("batches: ref=b39999: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 bad row", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewerSchemaIsRefusedWithExitTwo()
    {
        var (_, feed, _, database) = SampleInBothStores();
        Sql(database, "UPDATE reconcile_store SET schema_version = schema_version + 1");
        var run = CliRun.Of("stock", feed, database);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("is newer than this program's", run.Stderr, StringComparison.Ordinal);
        var init = CliRun.Of("store", "init", database);
        Assert.Equal(ExitCodes.BadInput, init.ExitCode);
    }

    [Theory]
    [InlineData("missing.db", "no such stock store")]
    [InlineData("not-a-database.sqlite", "file is not a database")]
    [InlineData("other.sqlite3", "not a stock store")]
    public void WhatIsNotAStockStoreIsBadInput(string name, string message)
    {
        var root = temp.CopySample("stock", "stock");
        var database = Path.Combine(root, name);
        if (name.StartsWith("not-", StringComparison.Ordinal))
        {
            File.WriteAllText(database, "ref,sku,qty,eta\n");
        }
        if (name.StartsWith("other", StringComparison.Ordinal))
        {
            Sql(database, "CREATE TABLE t (x)");
        }
        var run = CliRun.Of("stock", Path.Combine(root, "feed.csv"), "sqlite:" + database);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AStalePlanIsRefusedWithExitThreeEvenWhenAnotherProgramChangedTheRows()
    {
        var (root, feed, _, database) = SampleInBothStores();
        var plan = Path.Combine(root, "plan.json");
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", plan, feed, database).ExitCode);
        Sql(database, "UPDATE batches SET qty = 11 WHERE ref = 'batch-001'");
        var before = File.ReadAllBytes(database);
        var apply = CliRun.Of("apply", plan);
        Assert.Equal(ExitCodes.Refused, apply.ExitCode);
        Assert.Contains("stale plan", apply.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(database));
    }

    [Fact]
    public void ASavedPlanAppliesToTheDatabaseAndIsJournaled()
    {
        var (root, feed, _, database) = SampleInBothStores();
        var plan = Path.Combine(root, "plan.json");
        Assert.Equal(0, CliRun.Of("stock", "-n", "--plan-out", plan, feed, database).ExitCode);
        var apply = CliRun.Of("apply", plan);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(0, CliRun.Of("stock", "--check", feed, database).ExitCode);
        var journal = Reconcile.Shell.Stock.SqliteStockStore.Open(database).Journal();
        Assert.Equal(["store copy", "stock"], journal.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("command").GetString()));
    }

    [Fact]
    public void ASecondWriterExitsFourNamingTheHolder()
    {
        var (_, feed, _, database) = SampleInBothStores();
        using (Reconcile.Shell.Stock.SqliteStockStore.Open(database).Lock())
        {
            var before = File.ReadAllBytes(database);
            var run = ExeRun.Of(null, "stock", feed, database);
            Assert.Equal(ExitCodes.Locked, run.ExitCode);
            Assert.Contains($"process {Environment.ProcessId}", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(database));
        }
    }

    [Fact]
    public void WithWaitASecondWriterWaitsForTheLockThenRuns()
    {
        var (_, feed, _, database) = SampleInBothStores();
        var held = Reconcile.Shell.Stock.SqliteStockStore.Open(database).Lock();
        using var run = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { ExeRun.Dll, "stock", "--wait", "600", "-q", feed, database },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            // The run says once that it waits; only then is the lock let go.
            var notice = run.StandardError.ReadLine();
            Assert.NotNull(notice);
            Assert.Contains("waiting up to 600 s", notice, StringComparison.Ordinal);
            Assert.Contains($"process {Environment.ProcessId}", notice, StringComparison.Ordinal);
        }
        finally
        {
            held.Dispose();
        }
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, run.StandardError.ReadToEnd());
        Assert.Equal(0, CliRun.Of("stock", "--check", feed, database).ExitCode);
    }

    [Fact]
    public void WithWaitARunThatNeverGetsTheLockExitsFour()
    {
        var (_, feed, _, database) = SampleInBothStores();
        using (Reconcile.Shell.Stock.SqliteStockStore.Open(database).Lock())
        {
            var before = File.ReadAllBytes(database);
            var run = ExeRun.Of(null, "stock", "--wait", "1", feed, database);
            Assert.Equal(ExitCodes.Locked, run.ExitCode);
            Assert.Contains("waiting up to 1 s", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(database));
        }
    }
}
