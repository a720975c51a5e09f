using System.Globalization;
using LanguageExt;
using Microsoft.Data.Sqlite;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using SQLitePCL;
using static LanguageExt.Prelude;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The SQLite stock store: one database file whose schema the tool owns (<see cref="StockSchema"/>). Its
/// version is the store's id and a counter that the state tables' triggers raise with every row written,
/// by this program or any other. A commit writes its rows, its journal entry and the new version in one
/// transaction, so a SIGKILL leaves the old or the new state and nothing between. Order is kept by each
/// table's <c>seq</c> column.
///
/// Writers take a kernel lock on a file beside the database (<see cref="RunLock"/>, which names the
/// holder); a writer that does not take it (another program) is caught by the version check inside the
/// write transaction (<c>BEGIN IMMEDIATE</c>).
/// </summary>
internal sealed class SqliteStockStore : IStockStore
{
    public const string Scheme = "sqlite:";

    private readonly string given;
    private readonly string path;
    private RowSeqs? read;

    private SqliteStockStore(string given, string path)
    {
        this.given = given;
        this.path = path;
    }

    /// <summary>Whether a STATE argument names an SQLite database: <c>sqlite:PATH</c>, or a path ending in
    /// <c>.db</c>, <c>.sqlite</c> or <c>.sqlite3</c>.</summary>
    public static bool Names(string locator) =>
        locator.StartsWith(Scheme, StringComparison.Ordinal)
        || Extensions.Contains(Path.GetExtension(locator), StringComparer.Ordinal);

    private static readonly string[] Extensions = [".db", ".sqlite", ".sqlite3"];

    private static string PathOf(string locator) =>
        locator.StartsWith(Scheme, StringComparison.Ordinal) ? locator[Scheme.Length..] : locator;

    /// <summary>Opens an existing store; a missing file, or one that is not a store of this program's schema, is bad input.</summary>
    public static SqliteStockStore Open(string locator)
    {
        var store = Unchecked(locator);
        if (!File.Exists(store.path))
        {
            throw RunStoppedException.BadInput($"{store.given}: no such stock store; create it with 'reconcile store init {locator}'");
        }
        store.Guarded(connection =>
        {
            var schema = StockSchema.VersionOf(connection, store.given);
            StockSchema.Check(schema, store.given);
            return unit;
        });
        return store;
    }

    /// <summary>The store a locator names, whether or not it exists yet (for <c>store init</c> and <c>store copy</c>).</summary>
    public static SqliteStockStore Unchecked(string locator)
    {
        var file = PathOf(locator);
        if (file.Length == 0 || file.Contains('\0', StringComparison.Ordinal))
        {
            throw RunStoppedException.BadInput($"{locator}: an SQLite store needs a file path");
        }
        return new SqliteStockStore(file, Path.GetFullPath(file));
    }

    public string Locator => Scheme + path;

    /// <summary>Whether the store holds no rows at all (absent, or just initialized).</summary>
    public bool IsEmptyOrAbsent() =>
        !File.Exists(path) || new FileInfo(path).Length == 0 || Guarded(connection =>
            StockSchema.VersionOf(connection, given) is null
                ? Scalar(connection, null, "SELECT count(*) FROM sqlite_master") == 0
                : Scalar(connection, null, "SELECT (SELECT count(*) FROM batches) + (SELECT count(*) FROM allocations) + (SELECT count(*) FROM backorders) + (SELECT count(*) FROM journal)") == 0);

    /// <summary>
    /// Creates the schema in a new or empty database file, or migrates an older one; a newer one is
    /// refused. Returns what it did, for a person.
    /// </summary>
    public string Init() => Guarded(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var schema = StockSchema.VersionOf(connection, given);
        if (schema is null)
        {
            if (Scalar(connection, transaction, "SELECT count(*) FROM sqlite_master") != 0)
            {
                throw RunStoppedException.Refused($"{given}: the database holds other tables; a stock store is created only in a new or empty database; nothing was changed");
            }
            Execute(connection, transaction, StockSchema.Create(Guid.NewGuid().ToString("N")));
            transaction.Commit();
            return $"{given}: created an empty stock store (schema {StockSchema.Current})";
        }
        StockSchema.CheckNotNewer(schema.Value, given);
        if (schema.Value == StockSchema.Current)
        {
            return $"{given}: already a stock store of schema {StockSchema.Current}; nothing to do";
        }
        // Schema 1 is the first; a later schema adds its migration steps from here.
        throw RunStoppedException.BadInput($"{given}: schema {schema.Value} has no migration; nothing was changed");
    });

    public void Recover()
    {
        // SQLite finishes or undoes an interrupted transaction itself when the database is next opened.
    }

    public IDisposable Lock() => RunLock.Acquire(path + ".lock", given);

    public StoreSnapshot Read(bool versioned) => Guarded(connection =>
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        var version = StateVersion(connection, transaction);
        var batches = new List<RawBatch>();
        var allocations = new List<RawAllocation>();
        var backorders = new List<RawOrderLine>();
        var seqs = new RowSeqs();
        var repeated = new RepeatedText();
        EachRow(connection, "SELECT seq, ref, sku, qty, eta FROM batches ORDER BY seq", row =>
        {
            seqs.Batches.Add(raw.sqlite3_column_int64(row, 0));
            batches.Add(new RawBatch(batches.Count + 1, Text(row, 1), repeated.Of(Bytes(row, 2)), repeated.Of(Bytes(row, 3)), repeated.Of(Bytes(row, 4))));
        });
        EachRow(connection, "SELECT seq, orderid, sku, qty, batchref FROM allocations ORDER BY seq", row =>
        {
            seqs.Allocations.Add(raw.sqlite3_column_int64(row, 0));
            allocations.Add(new RawAllocation(allocations.Count + 1, Text(row, 1), repeated.Of(Bytes(row, 2)), repeated.Of(Bytes(row, 3)), Text(row, 4)));
        });
        EachRow(connection, "SELECT seq, orderid, sku, qty FROM backorders ORDER BY seq", row =>
        {
            seqs.Backorders.Add(raw.sqlite3_column_int64(row, 0));
            backorders.Add(new RawOrderLine(backorders.Count + 1, Text(row, 1), repeated.Of(Bytes(row, 2)), repeated.Of(Bytes(row, 3))));
        });
        transaction.Commit();
        read = seqs;
        return StockTables.Snapshot(batches, allocations, backorders, versioned ? version : null);
    });

    /// <summary>
    /// Runs a query and hands each row to <paramref name="row"/> as SQLite steps to it. Values are taken
    /// straight from the statement, one call each: a data reader checks and converts every value on the
    /// way, which cost more than SQLite's own work on a million rows.
    /// </summary>
    private static void EachRow(SqliteConnection connection, string sql, Action<sqlite3_stmt> row)
    {
        var database = connection.Handle!;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(database, sql, out var statement), database);
        using (statement)
        {
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                row(statement);
            }
            if (result != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(result, database);
            }
        }
    }

    /// <summary>A value's text as UTF-8 (a number's as SQLite writes it; none for NULL, read as empty).</summary>
    private static ReadOnlySpan<byte> Bytes(sqlite3_stmt row, int column) => raw.sqlite3_column_blob(row, column);

    private static string Text(sqlite3_stmt row, int column) => System.Text.Encoding.UTF8.GetString(Bytes(row, column));

    public Option<Problem> Commit(StoreVersion expected, Func<StockChange> prepare)
    {
        var seqs = read ?? throw new InvalidOperationException("the store commits only what it has read");
        return Guarded(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            if (StateVersion(connection, transaction) != expected)
            {
                return Some(Problem.Refused($"{given}: another run changed the store while this one was planning; nothing was changed, run again"));
            }
            var change = prepare();
            StageClock.Mark("sqlite: the new state worked out");
            KillPoint.Step();
            WriteChanges(connection, transaction, "batches", change.Before.Batches, change.After.Batches, b => b.Ref, seqs.Batches, InsertBatch, UpdateBatch);
            KillPoint.Step();
            WriteChanges(connection, transaction, "allocations", change.Before.Allocations, change.After.Allocations, a => a.Key, seqs.Allocations, InsertAllocation, UpdateAllocation);
            KillPoint.Step();
            WriteChanges(connection, transaction, "backorders", change.Before.Backorders, change.After.Backorders, l => l.Key, seqs.Backorders, InsertBackorder, UpdateBackorder);
            KillPoint.Step();
            // The tables' triggers have raised the version with every row written; this raises it even
            // for a plan that changed no row (a copy of an empty state).
            Execute(connection, transaction, "UPDATE reconcile_store SET state_version = state_version + 1");
            using (var journal = Command(connection, transaction, "INSERT INTO journal (entry) VALUES ($entry)"))
            {
                var entry = journal.Parameters.Add("$entry", SqliteType.Text);
                foreach (var line in change.History.Append(StockJournal.Line(change.Entry, json => json.WriteString("store", Locator))))
                {
                    entry.Value = line;
                    journal.ExecuteNonQuery();
                }
            }
            StageClock.Mark("sqlite: rows and journal written");
            KillPoint.Step();
            transaction.Commit();
            StageClock.Mark("sqlite: committed");
            KillPoint.Step();
            return Option<Problem>.None;
        });
    }

    public string Changes(StoreVersion then, StoreVersion now) =>
        $"{given} (version {then.Token.Split(':')[^1]}, now {now.Token.Split(':')[^1]})";

    /// <summary>The journal entries, oldest first (one JSON line each, as the CSV store's journal.jsonl).</summary>
    public IReadOnlyList<string> Journal() => Guarded(connection =>
    {
        var lines = new List<string>();
        using var command = Command(connection, null, "SELECT entry FROM journal ORDER BY seq");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }
        return (IReadOnlyList<string>)lines;
    });

    /// <summary>Writes only what differs (see <see cref="RowChanges{TRow}"/>).</summary>
    private static void WriteChanges<TRow, TKey>(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string table,
        Seq<TRow> before,
        Seq<TRow> after,
        Func<TRow, TKey> key,
        List<long> seqs,
        Action<Func<string, SqliteCommand>, TRow, long> insert,
        Action<Func<string, SqliteCommand>, TRow, long> update)
        where TKey : notnull
    {
        var changes = RowChanges<TRow>.Of(before, after, key, seqs);
        StageClock.Mark($"sqlite: {table}: {changes.Deletes.Count} to delete, {changes.Updates.Count} to update, {changes.Inserts.Count} to insert{(changes.RewriteAll ? " (all)" : "")}");
        // Each statement is prepared once and run for every row it writes.
        var prepared = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        SqliteCommand Statement(string sql)
        {
            if (!prepared.TryGetValue(sql, out var command))
            {
                command = Command(connection, transaction, sql);
                prepared.Add(sql, command);
            }
            return command;
        }
        if (changes.RewriteAll)
        {
            Execute(connection, transaction, $"DELETE FROM {table}");
        }
        foreach (var seq in changes.Deletes)
        {
            Run(Statement($"DELETE FROM {table} WHERE seq = $a"), seq);
        }
        foreach (var (row, seq) in changes.Updates)
        {
            update(Statement, row, seq);
        }
        foreach (var (row, seq) in changes.Inserts)
        {
            insert(Statement, row, seq);
        }
        foreach (var command in prepared.Values)
        {
            command.Dispose();
        }
        StageClock.Mark($"sqlite: {table} written");
    }

    private static void InsertBatch(Func<string, SqliteCommand> statement, Batch batch, long seq) =>
        Run(statement("INSERT INTO batches (ref, sku, qty, eta, seq) VALUES ($a, $b, $c, $d, $e)"), batch.Ref, batch.Sku, batch.Qty, EtaText(batch.Eta), seq);

    private static void UpdateBatch(Func<string, SqliteCommand> statement, Batch batch, long seq) =>
        Run(statement("UPDATE batches SET ref = $a, sku = $b, qty = $c, eta = $d WHERE seq = $e"), batch.Ref, batch.Sku, batch.Qty, EtaText(batch.Eta), seq);

    private static void InsertAllocation(Func<string, SqliteCommand> statement, Allocation a, long seq) =>
        Run(statement("INSERT INTO allocations (orderid, sku, qty, batchref, seq) VALUES ($a, $b, $c, $d, $e)"), a.OrderId, a.Sku, a.Qty, a.BatchRef, seq);

    private static void UpdateAllocation(Func<string, SqliteCommand> statement, Allocation a, long seq) =>
        Run(statement("UPDATE allocations SET orderid = $a, sku = $b, qty = $c, batchref = $d WHERE seq = $e"), a.OrderId, a.Sku, a.Qty, a.BatchRef, seq);

    private static void InsertBackorder(Func<string, SqliteCommand> statement, OrderLine line, long seq) =>
        Run(statement("INSERT INTO backorders (orderid, sku, qty, seq) VALUES ($a, $b, $c, $d)"), line.OrderId, line.Sku, line.Qty, seq);

    private static void UpdateBackorder(Func<string, SqliteCommand> statement, OrderLine line, long seq) =>
        Run(statement("UPDATE backorders SET orderid = $a, sku = $b, qty = $c WHERE seq = $d"), line.OrderId, line.Sku, line.Qty, seq);

    private static object EtaText(DateOnly? eta) =>
        eta is { } date ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value;

    /// <summary>Runs a prepared statement with these values as <c>$a</c>, <c>$b</c>, ….</summary>
    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var name = "$" + (char)('a' + i);
            if (command.Parameters.Contains(name))
            {
                command.Parameters[name].Value = values[i];
            }
            else
            {
                command.Parameters.AddWithValue(name, values[i]);
            }
        }
        command.ExecuteNonQuery();
    }

    private StoreVersion StateVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = Command(connection, transaction, "SELECT schema_version, store_id, state_version FROM reconcile_store");
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw RunStoppedException.BadInput($"{given}: the reconcile_store table has no row; not a stock store");
        }
        StockSchema.Check(reader.GetInt64(0), given);
        return new StoreVersion(reader.GetString(1) + ":" + reader.GetInt64(2).ToString(CultureInfo.InvariantCulture));
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="work"/> on a fresh connection; what SQLite reports becomes one line: bad
    /// input for a file that is not a database, "locked" for another writer, else a failure of the run.</summary>
    private T Guarded<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 5,
            }.ToString());
            connection.Open();
            return work(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 or 14)
        {
            throw RunStoppedException.BadInput($"{given}: cannot open the stock store: {e.Message}; nothing was changed");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            throw RunStoppedException.Locked($"{given}: another program is writing the database ({e.Message}); nothing was changed");
        }
        catch (SqliteException e)
        {
            throw new IOException($"{given}: the database failed: {e.Message}; nothing was committed", e);
        }
    }
}
