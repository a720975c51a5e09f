using System.CommandLine;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile store init STATE</c> and <c>reconcile store copy FROM TO</c>: stock stores themselves.</summary>
public static class StoreCommand
{
    /// <summary>What the command does, and examples; shown after the options by <c>reconcile store --help</c>.</summary>
    public const string Examples = """
        A stock store is a directory of CSV files, or an SQLite database (sqlite:PATH, or a path ending
        in .db, .sqlite or .sqlite3). 'store init' creates an empty one, or migrates a database store
        of an older schema; 'store copy' copies a whole state, validated, and its journal into a new or
        empty store.

        Examples:
          reconcile store init stock.db                           an empty SQLite store
          reconcile store copy state/ stock.db                    move a CSV store into SQLite
          reconcile store copy stock.db state-copy/               and back
        """;

    public static Command Create(TextWriter stdout, TimeProvider clock)
    {
        var initState = Options.Path("STATE", "The store to create: a directory, sqlite:PATH or PATH.db.");
        var init = new Command("init", "Create an empty stock store, or migrate a database store of an older schema.") { initState };
        init.SetAction(parse =>
        {
            stdout.WriteLine(Init(parse.GetValue(initState)!));
            return ExitCodes.Done;
        });
        var from = Options.Path("FROM", "The store to copy.");
        var to = Options.Path("TO", "A new or empty store to copy it into.");
        var copy = new Command("copy", "Copy a whole stock state, validated, into a new or empty store.") { from, to };
        copy.SetAction(parse =>
        {
            stdout.WriteLine(Copy(parse.GetValue(from)!, parse.GetValue(to)!, clock));
            return ExitCodes.Done;
        });
        return new Command("store", "Create stock stores, and copy a stock state between them.") { init, copy };
    }

    /// <summary>Creates an empty store of the kind the locator names (or migrates an older database store).</summary>
    internal static string Init(string locator)
    {
        if (PostgresStockStore.Names(locator))
        {
            return PostgresStockStore.Unchecked(locator).Init();
        }
        if (SqliteStockStore.Names(locator))
        {
            return SqliteStockStore.Unchecked(locator).Init();
        }
        if (!IsEmptyDirectoryOrAbsent(locator))
        {
            if (File.Exists(Path.Combine(locator, CsvStockStore.BatchesFile)))
            {
                return $"{locator}: already a stock store; nothing to do";
            }
            throw RunStoppedException.Refused($"{locator}: not empty and not a stock store; nothing was changed");
        }
        CreateCsvStore(locator);
        return $"{locator}: created an empty stock store";
    }

    /// <summary>Copies FROM's state, validated as a run validates it, and its journal into TO, which must be new or empty.</summary>
    internal static string Copy(string fromLocator, string toLocator, TimeProvider clock)
    {
        var source = StockStores.Open(fromLocator);
        var snapshot = source.Read(versioned: false);
        if (snapshot.FileErrors.Count > 0)
        {
            throw new RunStoppedException(BadRows.Problem(snapshot.FileErrors, snapshot.Files));
        }
        var state = StockValidator.ValidateState(snapshot.Rows).Match(
            valid => snapshot.RowErrors.Count == 0 ? valid : throw new RunStoppedException(BadRows.Problem(snapshot.RowErrors.Select(snapshot.NameRow), snapshot.Files)),
            errors => throw new RunStoppedException(BadRows.Problem([.. snapshot.RowErrors.Select(snapshot.NameRow), .. errors.Select(snapshot.NameRow)], snapshot.Files)));
        var target = CreateEmpty(toLocator);
        var empty = target.Read(versioned: true);
        using (target.Lock())
        {
            var entry = new JournalEntry(clock.GetUtcNow(), "store copy", [("from", source.Locator)], [], Seq<StockAction>.Empty);
            target.Commit(empty.Version!, () => new StockChange(StockState.Empty, state, entry) { History = source.Journal() })
                .IfSome(problem => throw new RunStoppedException(problem));
        }
        return $"copied {state.Batches.Count} batches, {state.Allocations.Count} allocations and {state.Backorders.Count} backorders from {Shown(fromLocator, source)} to {Shown(toLocator, target)}";
    }

    /// <summary>A store as the user named it, but a database URL without its password.</summary>
    private static string Shown(string locator, IStockStore store) => PostgresStockStore.Names(locator) ? store.Locator : locator;

    /// <summary>A new, empty store at the locator; one that exists and holds anything is refused (exit 3).</summary>
    private static IStockStore CreateEmpty(string locator)
    {
        if (PostgresStockStore.Names(locator))
        {
            var database = PostgresStockStore.Unchecked(locator);
            if (!database.IsEmptyOrAbsent())
            {
                throw RunStoppedException.Refused($"{database.Locator}: the store to copy into must be new or empty; nothing was changed");
            }
            database.Init();
            return PostgresStockStore.Open(locator);
        }
        if (SqliteStockStore.Names(locator))
        {
            var database = SqliteStockStore.Unchecked(locator);
            if (!database.IsEmptyOrAbsent())
            {
                throw RunStoppedException.Refused($"{locator}: the store to copy into must be new or empty; nothing was changed");
            }
            database.Init();
            return SqliteStockStore.Open(locator);
        }
        if (!IsEmptyDirectoryOrAbsent(locator))
        {
            throw RunStoppedException.Refused($"{locator}: the store to copy into must be new or empty; nothing was changed");
        }
        CreateCsvStore(locator);
        return new CsvStockStore(locator);
    }

    private static bool IsEmptyDirectoryOrAbsent(string path) =>
        !File.Exists(path) && (!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any());

    private static void CreateCsvStore(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CsvStockStore.BatchesFile), string.Join(",", StockCsv.BatchColumns) + "\n");
    }
}
