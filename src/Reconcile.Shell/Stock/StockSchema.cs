using System.Globalization;
using Microsoft.Data.Sqlite;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The schema a database stock store has, which the tool owns: one row naming the schema version, the
/// store's id and its state version; batches, allocations and backorders, their order kept by a
/// <c>seq</c> column; the journal, one JSON entry per applied plan. Values are kept as written, so that
/// a row edited by hand is validated like a CSV row, not rejected by the database.
/// </summary>
internal static class StockSchema
{
    /// <summary>The schema this program reads and writes; <c>store init</c> migrates older ones to it.</summary>
    public const long Current = 1;

    /// <summary>The statements that create schema <see cref="Current"/> in an empty SQLite database.</summary>
    public static string Create(string storeId) => string.Create(CultureInfo.InvariantCulture, $"""
        CREATE TABLE reconcile_store (schema_version INTEGER NOT NULL, store_id TEXT NOT NULL, state_version INTEGER NOT NULL);
        INSERT INTO reconcile_store VALUES ({Current}, '{storeId}', 0);
        CREATE TABLE batches (seq INTEGER PRIMARY KEY, ref TEXT NOT NULL, sku TEXT NOT NULL, qty NOT NULL, eta TEXT);
        CREATE TABLE allocations (seq INTEGER PRIMARY KEY, orderid TEXT NOT NULL, sku TEXT NOT NULL, qty NOT NULL, batchref TEXT NOT NULL);
        CREATE TABLE backorders (seq INTEGER PRIMARY KEY, orderid TEXT NOT NULL, sku TEXT NOT NULL, qty NOT NULL);
        CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
        {Triggers("batches")}
        {Triggers("allocations")}
        {Triggers("backorders")}
        """);

    /// <summary>
    /// Any change to a state table raises the state version, whoever makes it (another program, a person
    /// in the sqlite3 shell): a plan made before it is stale, and a commit planned before it is refused.
    /// </summary>
    private static readonly string[] Operations = ["INSERT", "UPDATE", "DELETE"];

    private static string Triggers(string table) => string.Join(
        "\n",
        Operations.Select(operation =>
            $"CREATE TRIGGER {table}_{operation} AFTER {operation} ON {table} BEGIN UPDATE reconcile_store SET state_version = state_version + 1; END;"));

    /// <summary>The schema version of an SQLite database, or null when it has no <c>reconcile_store</c> table.</summary>
    public static long? VersionOf(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reconcile_store'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }
        command.CommandText = "SELECT schema_version FROM reconcile_store";
        return command.ExecuteScalar() is long version
            ? version
            : throw RunStoppedException.BadInput($"{name}: the reconcile_store table has no schema version; not a stock store");
    }

    /// <summary>Stops a run on a store whose schema this program cannot use as it is.</summary>
    public static void Check(long? schema, string name)
    {
        if (schema is null)
        {
            throw RunStoppedException.BadInput($"{name}: not a stock store (no reconcile_store table); create one with 'reconcile store init'");
        }
        CheckNotNewer(schema.Value, name);
        if (schema.Value < Current)
        {
            throw RunStoppedException.BadInput($"{name}: stock store schema {schema.Value} is older than this program's ({Current}); migrate it with 'reconcile store init' first");
        }
    }

    public static void CheckNotNewer(long schema, string name)
    {
        if (schema > Current)
        {
            throw RunStoppedException.BadInput($"{name}: stock store schema {schema} is newer than this program's ({Current}); use a newer reconcile; nothing was changed");
        }
    }
}

/// <summary>The tables of a database store, by the names its rows are reported by.</summary>
internal static class StockTables
{
    public const string Batches = "batches";
    public const string Allocations = "allocations";
    public const string Backorders = "backorders";

    /// <summary>
    /// A database row has no line a person could find: a problem with it is reported by its key instead
    /// (<c>allocations: orderid=o1 sku=LAMP: allocation names unknown batch 'b9'</c>). Rows are looked up
    /// by their <c>seq</c>, which the errors carry as their line.
    /// </summary>
    public static Func<StockError, StockError> RowNamer(StateRows rows) => error =>
    {
        if (error.Line <= 0)
        {
            return error;
        }
        var key = error.File switch
        {
            Batches => Find(rows.Batches.Rows, error.Line, r => r.Line, r => $"ref={r.Ref}"),
            Allocations => Find(rows.Allocations.Rows, error.Line, r => r.Line, r => $"orderid={r.OrderId} sku={r.Sku}"),
            Backorders => Find(rows.Backorders.Rows, error.Line, r => r.Line, r => $"orderid={r.OrderId} sku={r.Sku}"),
            _ => null,
        };
        return key is null ? error : error with { Line = 0, Message = $"{key}: {error.Message}" };
    };

    /// <summary>The key of the row at <paramref name="line"/> (rows are in <c>seq</c> order).</summary>
    private static string? Find<T>(IReadOnlyList<T> rows, int line, Func<T, int> lineOf, Func<T, string> keyOf)
    {
        int low = 0, high = rows.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var at = lineOf(rows[middle]);
            if (at == line)
            {
                return keyOf(rows[middle]);
            }
            if (at < line)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return null;
    }
}
