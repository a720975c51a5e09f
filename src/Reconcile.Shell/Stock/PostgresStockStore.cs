using System.Globalization;
using LanguageExt;
using Npgsql;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using static LanguageExt.Prelude;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The PostgreSQL stock store: the tables of <see cref="StockSchema"/> in one schema of a database named
/// by a libpq URL (<c>postgres://user@host:port/database?schema=NAME</c>). The password comes from the
/// URL, <c>PGPASSWORD</c> or <c>~/.pgpass</c> (Npgsql reads the last two) and never leaves the connection:
/// the locator a plan or journal records has none. A run reads in one repeatable-read transaction with
/// binary COPY; writers hold an advisory lock whose holder is named by its connection's application name;
/// a commit checks the version and writes rows, journal and version in one transaction.
/// </summary>
internal sealed class PostgresStockStore : IStockStore
{
    /// <summary>The advisory lock's first key, "Reco"; the second is a hash of the schema's name.</summary>
    private const int LockClass = 0x5265636F;

    private readonly string connectionString;
    private readonly string schema;
    private RowSeqs? read;

    private PostgresStockStore(string locator, string connectionString, string schema)
    {
        Locator = locator;
        this.connectionString = connectionString;
        this.schema = schema;
    }

    public static bool Names(string locator) =>
        locator.StartsWith("postgres://", StringComparison.Ordinal) || locator.StartsWith("postgresql://", StringComparison.Ordinal);

    /// <summary>The store a URL names; a URL this program cannot use is bad input, and is never echoed
    /// with its password.</summary>
    public static PostgresStockStore Unchecked(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0 && !url.Contains("host=", StringComparison.Ordinal))
        {
            throw RunStoppedException.BadInput("STATE: not a PostgreSQL URL of the form postgres://USER@HOST:PORT/DATABASE?schema=NAME");
        }
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "", StringComparer.Ordinal);
        var userInfo = uri.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(userInfo[0]);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var socket = query.GetValueOrDefault("host");
        var host = socket ?? Uri.UnescapeDataString(uri.Host);
        var schemaName = query.TryGetValue("schema", out var named) ? named : "public";
        if (schemaName.Length == 0 || database.Length == 0 || user.Length == 0)
        {
            throw RunStoppedException.BadInput("STATE: a PostgreSQL store's URL needs a user, a database and a schema name (postgres://USER@HOST:PORT/DATABASE?schema=NAME)");
        }
        var port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Database = database,
            Username = user,
            Pooling = false,
            Timeout = 10,
            ApplicationName = ApplicationName(),
        };
        if (userInfo.Length > 1)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        // What plans and messages show: the URL without its password, the schema always named.
        var printed = string.Create(
            CultureInfo.InvariantCulture,
            $"{uri.Scheme}://{Uri.EscapeDataString(user)}@{uri.Host}:{port}/{Uri.EscapeDataString(database)}?{(socket is null ? "" : "host=" + Uri.EscapeDataString(socket) + "&")}schema={Uri.EscapeDataString(schemaName)}");
        return new PostgresStockStore(printed, builder.ConnectionString, schemaName);
    }

    public static PostgresStockStore Open(string url)
    {
        var store = Unchecked(url);
        store.Guarded(connection =>
        {
            StockSchema.Check(store.SchemaVersion(connection, null), store.Locator);
            return unit;
        });
        return store;
    }

    public string Locator { get; }

    private string Table(string name) => $"{Quoted(schema)}.{name}";

    private static string Quoted(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public bool IsEmptyOrAbsent() => Guarded(connection =>
        SchemaVersion(connection, null) is null
            ? Scalar(connection, null, $"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema.Replace("'", "''", StringComparison.Ordinal)}'") == 0
            : Scalar(connection, null, $"SELECT (SELECT count(*) FROM {Table("batches")}) + (SELECT count(*) FROM {Table("allocations")}) + (SELECT count(*) FROM {Table("backorders")}) + (SELECT count(*) FROM {Table("journal")})") == 0);

    public string Init() => Guarded(connection =>
    {
        using var transaction = connection.BeginTransaction();
        var version = SchemaVersion(connection, transaction);
        if (version is null)
        {
            Execute(connection, transaction, StockSchema.CreatePostgres(Quoted(schema), Guid.NewGuid().ToString("N")));
            transaction.Commit();
            return $"{Locator}: created an empty stock store (schema {StockSchema.Current})";
        }
        StockSchema.CheckNotNewer(version.Value, Locator);
        return version.Value == StockSchema.Current
            ? $"{Locator}: already a stock store of schema {StockSchema.Current}; nothing to do"
            : throw RunStoppedException.BadInput($"{Locator}: schema {version.Value} has no migration; nothing was changed");
    });

    public void Recover()
    {
        // PostgreSQL rolls back the transaction of a client that went away.
    }

    public IDisposable Lock()
    {
        var connection = Connect();
        try
        {
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
            command.Parameters.AddWithValue(LockClass);
            command.Parameters.AddWithValue(LockKey);
            if (command.ExecuteScalar() is not true)
            {
                throw RunStoppedException.Locked($"{Locator}: another run holds the lock (held by {Holder(connection)}); nothing was changed");
            }
            return connection;
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw new IOException($"{Locator}: the database failed: {Reason(e)}; nothing was committed", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private int LockKey => BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema)));

    private string Holder(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2",
            connection);
        command.Parameters.AddWithValue(LockClass);
        command.Parameters.AddWithValue(LockKey);
        return command.ExecuteScalar() as string ?? "a run that has just let it go";
    }

    private static string ApplicationName() =>
        string.Create(CultureInfo.InvariantCulture, $"reconcile process {Environment.ProcessId} on host {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}");

    public StoreSnapshot Read(bool versioned) => Guarded(connection =>
    {
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var version = StateVersion(connection, transaction);
        var seqs = new RowSeqs();
        var repeated = new RepeatedText();
        var batches = new List<RawBatch>();
        var allocations = new List<RawAllocation>();
        var backorders = new List<RawOrderLine>();
        Export(connection, $"SELECT seq, ref, sku, qty, eta FROM {Table("batches")} ORDER BY seq", seqs.Batches, row =>
            batches.Add(new RawBatch(batches.Count + 1, Text(row.Field()), repeated.Of(row.Field()), repeated.Of(row.Field()), repeated.Of(row.Field()))));
        Export(connection, $"SELECT seq, orderid, sku, qty, batchref FROM {Table("allocations")} ORDER BY seq", seqs.Allocations, row =>
            allocations.Add(new RawAllocation(allocations.Count + 1, Text(row.Field()), repeated.Of(row.Field()), repeated.Of(row.Field()), Text(row.Field()))));
        Export(connection, $"SELECT seq, orderid, sku, qty FROM {Table("backorders")} ORDER BY seq", seqs.Backorders, row =>
            backorders.Add(new RawOrderLine(backorders.Count + 1, Text(row.Field()), repeated.Of(row.Field()), repeated.Of(row.Field()))));
        transaction.Commit();
        read = seqs;
        return StockTables.Snapshot(batches, allocations, backorders, versioned ? version : null);
    });

    /// <summary>The rows of a query by binary COPY: each row's seq into <paramref name="seqs"/>, then its
    /// other columns, read in order by <paramref name="row"/> (a NULL, in a row edited by hand, reads as
    /// empty).</summary>
    private static void Export(NpgsqlConnection connection, string query, List<long> seqs, Action<BinaryCopyRows> row)
    {
        using var stream = connection.BeginRawBinaryCopy($"COPY ({query}) TO STDOUT (FORMAT BINARY)");
        var rows = new BinaryCopyRows(stream);
        while (rows.NextRow())
        {
            seqs.Add(rows.Int64());
            row(rows);
        }
        // The end of the data is followed by the end of the stream.
        stream.CopyTo(Stream.Null);
    }

    private static string Text(ReadOnlySpan<byte> utf8) => System.Text.Encoding.UTF8.GetString(utf8);

    public Option<Problem> Commit(StoreVersion expected, Func<StockChange> prepare)
    {
        var seqs = read ?? throw new InvalidOperationException("the store commits only what it has read");
        return Guarded(connection =>
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, transaction, $"SELECT 1 FROM {Table("reconcile_store")} FOR UPDATE");
            if (StateVersion(connection, transaction) != expected)
            {
                return Some(Problem.Refused($"{Locator}: another run changed the store while this one was planning; nothing was changed, run again"));
            }
            var change = prepare();
            StageClock.Mark("postgres: the new state worked out");
            KillPoint.Step();
            Write(connection, transaction, "batches", ["ref", "sku", "qty", "eta"], RowChanges<Batch>.Of(change.Before.Batches, change.After.Batches, b => b.Ref, seqs.Batches), b => [b.Ref, b.Sku, Number(b.Qty), b.Eta is { } eta ? eta.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null]);
            KillPoint.Step();
            Write(connection, transaction, "allocations", ["orderid", "sku", "qty", "batchref"], RowChanges<Allocation>.Of(change.Before.Allocations, change.After.Allocations, a => a.Key, seqs.Allocations), a => [a.OrderId, a.Sku, Number(a.Qty), a.BatchRef]);
            KillPoint.Step();
            Write(connection, transaction, "backorders", ["orderid", "sku", "qty"], RowChanges<OrderLine>.Of(change.Before.Backorders, change.After.Backorders, l => l.Key, seqs.Backorders), l => [l.OrderId, l.Sku, Number(l.Qty)]);
            KillPoint.Step();
            Execute(connection, transaction, $"UPDATE {Table("reconcile_store")} SET state_version = state_version + 1");
            using (var journal = new NpgsqlCommand($"INSERT INTO {Table("journal")} (entry) SELECT e.entry FROM unnest($1::text[]) WITH ORDINALITY AS e(entry, n) ORDER BY e.n", connection, transaction))
            {
                journal.Parameters.AddWithValue(change.History.Append(StockJournal.Line(change.Entry, json => json.WriteString("store", Locator))).ToArray());
                journal.ExecuteNonQuery();
            }
            KillPoint.Step();
            transaction.Commit();
            StageClock.Mark("postgres: committed");
            KillPoint.Step();
            return Option<Problem>.None;
        });
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a table's changes; new rows by binary COPY, with the <c>seq</c> that places them.</summary>
    private void Write<TRow>(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string[] columns, RowChanges<TRow> changes, Func<TRow, string?[]> values)
    {
        if (changes.RewriteAll)
        {
            Execute(connection, transaction, $"DELETE FROM {Table(table)}");
        }
        if (changes.Deletes.Count > 0)
        {
            using var delete = new NpgsqlCommand($"DELETE FROM {Table(table)} WHERE seq = ANY($1)", connection, transaction);
            delete.Parameters.AddWithValue(changes.Deletes.ToArray());
            delete.ExecuteNonQuery();
        }
        if (changes.Updates.Count > 0)
        {
            // Rows changed in place go through a temporary table, so that they are one UPDATE (and one
            // firing of the table's trigger), not a round trip each.
            Execute(connection, transaction, $"CREATE TEMPORARY TABLE reconcile_updates (LIKE {Table(table)}) ON COMMIT DROP");
            Copy(connection, "reconcile_updates", columns, changes.Updates, values);
            var set = string.Join(", ", columns.Select(c => $"{c} = u.{c}"));
            Execute(connection, transaction, $"UPDATE {Table(table)} AS t SET {set} FROM reconcile_updates AS u WHERE t.seq = u.seq");
            Execute(connection, transaction, "DROP TABLE reconcile_updates");
        }
        if (changes.Inserts.Count > 0)
        {
            Copy(connection, Table(table), columns, changes.Inserts, values);
        }
        StageClock.Mark($"postgres: {table}: {changes.Deletes.Count} deleted, {changes.Updates.Count} updated, {changes.Inserts.Count} inserted{(changes.RewriteAll ? " (all)" : "")}");
    }

    /// <summary>Writes rows, each with its <c>seq</c>, into a table by binary COPY.</summary>
    private static void Copy<TRow>(NpgsqlConnection connection, string table, string[] columns, IReadOnlyList<(TRow Row, long Seq)> rows, Func<TRow, string?[]> values)
    {
        using var importer = connection.BeginBinaryImport($"COPY {table} (seq, {string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
        foreach (var (row, seq) in rows)
        {
            importer.StartRow();
            importer.Write(seq, NpgsqlTypes.NpgsqlDbType.Bigint);
            foreach (var value in values(row))
            {
                if (value is null)
                {
                    importer.WriteNull();
                }
                else
                {
                    importer.Write(value, NpgsqlTypes.NpgsqlDbType.Text);
                }
            }
        }
        importer.Complete();
    }

    public string Changes(StoreVersion then, StoreVersion now) =>
        $"{Locator} (version {then.Token.Split(':')[^1]}, now {now.Token.Split(':')[^1]})";

    public IReadOnlyList<string> Journal() => Guarded(connection =>
    {
        var lines = new List<string>();
        using var command = new NpgsqlCommand($"SELECT entry FROM {Table("journal")} ORDER BY seq", connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }
        return (IReadOnlyList<string>)lines;
    });

    private long? SchemaVersion(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction);
        exists.Parameters.AddWithValue(Table("reconcile_store"));
        if (exists.ExecuteScalar() is not true)
        {
            return null;
        }
        return Scalar(connection, transaction, $"SELECT schema_version FROM {Table("reconcile_store")}");
    }

    private StoreVersion StateVersion(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var command = new NpgsqlCommand($"SELECT schema_version, store_id, state_version FROM {Table("reconcile_store")}", connection, transaction);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw RunStoppedException.BadInput($"{Locator}: the reconcile_store table has no row; not a stock store");
        }
        StockSchema.Check(reader.GetInt64(0), Locator);
        return new StoreVersion(reader.GetString(1) + ":" + reader.GetInt64(2).ToString(CultureInfo.InvariantCulture));
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    private static long Scalar(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh connection. What the server or the network reports becomes
    /// one line: a store that cannot be reached or entered is bad input (exit 2); a failure once the run
    /// is under way stops it (exit 1), its transaction rolled back.
    /// </summary>
    private T Guarded<T>(Func<NpgsqlConnection, T> work)
    {
        using var connection = Connect();
        try
        {
            return work(connection);
        }
        catch (PostgresException e) when (e.SqlState is "3F000" or "42P01" or "42501")
        {
            throw RunStoppedException.BadInput($"{Locator}: {e.MessageText}; nothing was changed");
        }
        catch (NpgsqlException e)
        {
            throw new IOException($"{Locator}: the database failed: {Reason(e)}; nothing was committed", e);
        }
    }

    /// <summary>An open connection; a server that cannot be reached or entered is bad input (exit 2).</summary>
    private NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or TimeoutException)
        {
            connection.Dispose();
            throw RunStoppedException.BadInput($"{Locator}: cannot connect: {Reason(e)}; nothing was changed");
        }
    }

    private static string Reason(Exception e) =>
        e is PostgresException postgres ? postgres.MessageText
        : e.InnerException is { } inner && e is NpgsqlException ? $"{e.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})"
        : e.Message.TrimEnd('.');
}
