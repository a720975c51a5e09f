using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit.Abstractions;

namespace Reconcile.Shell.Tests.Safety;

/// <summary>
/// Fault injection for <c>stock</c> on an SQLite store: the run is killed with SIGKILL at each of its
/// steps in turn. The database must then hold the whole old state or the whole new one (rows, journal and
/// version together), and the next run must end in exactly what one uninterrupted run gives.
/// </summary>
public sealed class SqliteStockKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

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
        output.WriteLine($"stock on SQLite: {outcomes.KillPoints} kill points, each left a whole state");
        Assert.True(outcomes.KillPoints >= 4, $"only {outcomes.KillPoints} kill points");
    }

    private (string Feed, string Database) Sample(string name)
    {
        var root = temp.CopySample("stock", name);
        var database = Path.Combine(root, "stock.db");
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

    /// <summary>The rows of every table in order, the journal's commands and the state version's counter.</summary>
    private static string Contents(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        var text = new StringBuilder();
        foreach (var sql in new[]
        {
            "SELECT ref, sku, qty, eta FROM batches ORDER BY seq",
            "SELECT orderid, sku, qty, batchref FROM allocations ORDER BY seq",
            "SELECT orderid, sku, qty FROM backorders ORDER BY seq",
            "SELECT json_extract(entry, '$.command') FROM journal ORDER BY seq",
            "SELECT state_version FROM reconcile_store",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "" : reader.GetString(i)).Append(',');
                }
                text.Append('\n');
            }
            text.Append("--\n");
        }
        return text.ToString();
    }
}
