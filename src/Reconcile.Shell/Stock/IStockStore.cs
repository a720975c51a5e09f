using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The stock system of record, as a run sees it (the book's repository and unit of work). A run reads a
/// snapshot and its version, plans, then commits the plan's changes and its journal entry as one, under
/// the store's lock, only if the store is still at the version it read. The CSV folder is one adapter;
/// a database is another: the core and <see cref="StockJob"/> do not change when one arrives.
/// </summary>
internal interface IStockStore
{
    /// <summary>Names the store absolutely, so that a saved plan finds it again from anywhere.</summary>
    string Locator { get; }

    /// <summary>
    /// Finishes or undoes a commit that a crash interrupted, taking the lock for it if there is one. A
    /// run that may write does this before it reads; a dry run never writes, and reads the state that
    /// the interrupted commit decided.
    /// </summary>
    void Recover();

    /// <summary>The state's rows as text, with what was wrong with them as read, and its version (when
    /// <paramref name="versioned"/>: a real run or a saved plan needs it, a dry run does not).</summary>
    StoreSnapshot Read(bool versioned);

    /// <summary>Takes the store's write lock, or stops the run (exit 4) naming the run that holds it.</summary>
    IDisposable Lock();

    /// <summary>
    /// Under the lock: when the store is still at <paramref name="expected"/>, writes the change that
    /// <paramref name="prepare"/> works out (it may run while the version is checked) and its journal
    /// entry, all or nothing; otherwise writes nothing and says why (a stale state).
    /// </summary>
    Option<Problem> Commit(StoreVersion expected, Func<StockChange> prepare);

    /// <summary>What differs between two versions of this store, for a person: "batches.csv, allocations.csv".</summary>
    string Changes(StoreVersion then, StoreVersion now);

    /// <summary>The journal's entries, oldest first: one line of JSON each, as committed.</summary>
    IReadOnlyList<string> Journal();
}

/// <summary>Which state of a store a snapshot was read from; equal tokens, same contents.</summary>
internal sealed record StoreVersion(string Token);

/// <summary>A store's contents as read: the rows, what is wrong with them (whole files apart), the version.</summary>
internal sealed record StoreSnapshot(StateRows Rows, IReadOnlyList<StockError> RowErrors, IReadOnlyList<StockError> FileErrors, StoreVersion? Version)
{
    /// <summary>The names the store's rows are reported by, in the order errors are listed.</summary>
    public IEnumerable<string> Files => [Rows.Batches.File, Rows.Allocations.File, Rows.Backorders.File];

    /// <summary>How a problem with one of the store's rows is reported (a file's rows by their line, as
    /// they are; a database's by their key).</summary>
    public Func<StockError, StockError> NameRow { get; init; } = error => error;
}

/// <summary>What a commit writes: the state before and after the plan, and the journal entry.</summary>
internal sealed record StockChange(StockState Before, StockState After, JournalEntry Entry)
{
    /// <summary>Journal entries written before <see cref="Entry"/>, as they are: the history of the store
    /// a state is copied from, which becomes the copy's.</summary>
    public IReadOnlyList<string> History { get; init; } = [];
}

/// <summary>Opens the store a STATE argument or a saved plan names. A new kind of store plugs in here.</summary>
internal static class StockStores
{
    public static IStockStore Open(string locator) =>
        PostgresStockStore.Names(locator) ? PostgresStockStore.Open(locator)
        : SqliteStockStore.Names(locator) ? SqliteStockStore.Open(locator)
        : Directory.Exists(locator) ? new CsvStockStore(locator)
        : throw new RunStoppedException(Problem.BadInput($"{locator}: STATE is not a directory or a database store (sqlite:PATH, PATH.db, postgres://…)"));

    /// <summary>Whether a saved plan's <c>store</c> is a locator this program writes: an absolute,
    /// normalized path, or <c>sqlite:</c> and one.</summary>
    public static bool IsLocator(string locator)
    {
        if (PostgresStockStore.Names(locator))
        {
            return !locator.Contains('\0', StringComparison.Ordinal) && Uri.TryCreate(locator, UriKind.Absolute, out var url) && !url.UserInfo.Contains(':', StringComparison.Ordinal);
        }
        var file = locator.StartsWith(SqliteStockStore.Scheme, StringComparison.Ordinal) ? locator[SqliteStockStore.Scheme.Length..] : locator;
        return Path.IsPathFullyQualified(file) && !file.Contains('\0', StringComparison.Ordinal) && Path.GetFullPath(file) == file;
    }
}
