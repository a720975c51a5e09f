using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit.Abstractions;

namespace Reconcile.Shell.Tests.Safety;

/// <summary>
/// Fault injection for <c>stock</c> on a database store: the run is killed with SIGKILL at each of its
/// steps in turn. The database must then hold the whole old state or the whole new one (rows, journal and
/// version together), and the next run must end in exactly what one uninterrupted run gives.
/// </summary>
public abstract class DatabaseStockKillTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A new, absent store of the kind under test, named for a run in <paramref name="root"/>.</summary>
    protected abstract string NewStore(string root);

    /// <summary>The rows of every table in order (ref, sku, qty, eta; …), the journal's commands and the
    /// state version's counter, as text.</summary>
    protected abstract string Contents(string store);

    private readonly TempDirectory temp = new();

    public void Dispose()
    {
        temp.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public void EveryKillPointLeavesTheOldOrTheNewStateAndTheNextRunFinishes()
    {
        Skip.If(OperatingSystem.IsWindows(), "the kill hook sends SIGKILL, which only Unix has");
        var (referenceFeed, reference) = Sample("reference");
        var old = Contents(reference);
        var done = ExeRun.Of(null, "stock", referenceFeed, reference);
        Assert.True(done.ExitCode == 0, done.ToString());
        var expected = Contents(reference);
        Assert.NotEqual(old, expected);
        var outcomes = KillRuns.Sweep(n => KillAt(n, old, expected));
        output.WriteLine($"stock on {GetType().Name}: {outcomes.KillPoints} kill points, each left a whole state");
        Assert.True(outcomes.KillPoints >= 4, $"only {outcomes.KillPoints} kill points");
    }

    private (string Feed, string Database) Sample(string name)
    {
        var root = temp.CopySample("stock", name);
        var database = NewStore(root);
        var copied = ExeRun.Of(null, "store", "copy", Path.Combine(root, "state"), database);
        Assert.True(copied.ExitCode == 0, copied.ToString());
        return (Path.Combine(root, "feed.csv"), database);
    }

    private bool KillAt(int n, string old, string expected)
    {
        var (feed, database) = Sample("run-" + n.ToString(CultureInfo.InvariantCulture));
        var first = ExeRun.Of(new Dictionary<string, string> { [KillPoint.Variable] = n.ToString(CultureInfo.InvariantCulture) }, "stock", feed, database);
        if (first.ExitCode == 0)
        {
            return false;
        }
        Assert.True(first.ExitCode == 137, $"kill point {n}: {first}");
        var left = Contents(database);
        Assert.True(left == old || left == expected, $"kill point {n} left a state that is neither the old nor the new one:\n{left}");
        var second = ExeRun.Of(null, "stock", feed, database);
        Assert.True(second.ExitCode == 0, $"after kill point {n}: {second}");
        Assert.Equal(expected, Contents(database));
        return true;
    }
}

/// <summary>The kill sweep on an SQLite store.</summary>
public sealed class SqliteStockKillTests(ITestOutputHelper output) : DatabaseStockKillTests(output)
{
    protected override string NewStore(string root) => Path.Combine(root, "stock.db");

    protected override string Contents(string store)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return DatabaseContents.Of(connection, "", "json_extract(entry, '$.command')");
    }
}

/// <summary>The kill sweep on a PostgreSQL store (a schema of its own per run).</summary>
public sealed class PostgresStockKillTests(ITestOutputHelper output) : DatabaseStockKillTests(output)
{
    protected override string NewStore(string root) => PostgresTestServer.NewStore();

    protected override string Contents(string store)
    {
        using var connection = PostgresTestServer.Connect();
        connection.Open();
        return DatabaseContents.Of(connection, store.Split("schema=")[1] + ".", "entry::json->>'command'");
    }
}

/// <summary>A database store's contents as text, to compare whole states.</summary>
internal static class DatabaseContents
{
    public static string Of(System.Data.Common.DbConnection connection, string schema, string journalCommand)
    {
        var text = new StringBuilder();
        foreach (var sql in new[]
        {
            $"SELECT ref, sku, qty, eta FROM {schema}batches ORDER BY seq",
            $"SELECT orderid, sku, qty, batchref FROM {schema}allocations ORDER BY seq",
            $"SELECT orderid, sku, qty FROM {schema}backorders ORDER BY seq",
            $"SELECT {journalCommand} FROM {schema}journal ORDER BY seq",
            $"SELECT state_version FROM {schema}reconcile_store",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append(',');
                }
                text.Append('\n');
            }
            text.Append("--\n");
        }
        return text.ToString();
    }
}
