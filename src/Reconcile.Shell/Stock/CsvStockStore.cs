using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using static LanguageExt.Prelude;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The CSV stock store: a STATE directory with batches.csv, allocations.csv, unallocated.csv and
/// journal.jsonl. Its version is the SHA-256 of each state file as read. It keeps what a run must write
/// back that the core knows nothing of: each file's header and extra columns.
///
/// Replacing several files is not atomic as a group, so a commit goes through a staging directory,
/// <c>STATE/.reconcile-pending/</c>, on the same filesystem (so that a rename is atomic):
///   1. each changed state file, and the journal line, are written there and fsynced;
///   2. an empty <c>COMMITTED</c> marker is written (temp name, fsync, rename, fsync of the directory).
///      This rename is the commit point: before it the old state is the truth, after it the new one;
///   3. each staged file is renamed over its target (fsync of STATE), the journal line is appended, the
///      marker and the staging directory are removed.
/// A crash can stop this anywhere. The next run that may write recovers first: with the marker it rolls
/// forward (renames what is still staged, appends the journal line unless it is already the last one),
/// without it it rolls back (deletes the staging directory; the targets were never touched). A run that
/// may not write (a dry run) honours the marker by reading a staged file instead of its target, and
/// ignores an uncommitted staging directory, so it sees the same state without changing anything.
/// </summary>
internal sealed partial class CsvStockStore(string directory) : IStockStore
{
    public const string BatchesFile = "batches.csv";
    public const string AllocationsFile = "allocations.csv";
    public const string UnallocatedFile = "unallocated.csv";
    public const string JournalFile = "journal.jsonl";
    private const string PendingDirectory = ".reconcile-pending";
    private const string CommitMarker = "COMMITTED";
    private const string JournalEntryFile = "journal-entry.jsonl";
    private const string LockFile = ".reconcile.lock";

    private CsvStateFiles? read;

    public string Directory { get; } = directory;

    /// <summary>The directory, absolute; files are reported by the path as the user gave it.</summary>
    public string Locator => Path.GetFullPath(Directory);

    private string Pending => Path.Combine(Directory, PendingDirectory);

    private bool Committed => File.Exists(Path.Combine(Pending, CommitMarker));

    private bool HasPending => System.IO.Directory.Exists(Pending);

    /// <summary>The run lock of this store (see <see cref="RunLock"/>); inside STATE, beside the files it guards.</summary>
    private string LockPath => Path.Combine(Directory, LockFile);

    public IDisposable Lock() => RunLock.Acquire(LockPath, Directory);

    public void Recover()
    {
        if (HasPending)
        {
            using var held = Lock();
            RecoverUnderLock();
        }
    }

    /// <summary>Reads the state files. batches.csv must exist; the other two are empty when absent.</summary>
    public StoreSnapshot Read(bool versioned)
    {
        var (batchesName, batchesPath) = Input(BatchesFile);
        var (allocationsName, allocationsPath) = Input(AllocationsFile);
        var (backordersName, backordersPath) = Input(UnallocatedFile);
        var batches = StockCsv.Batches(batchesName, batchesPath, versioned);
        var allocations = File.Exists(allocationsPath) ? StockCsv.Allocations(allocationsName, allocationsPath, versioned) : CsvRead<RawAllocation>.Absent(allocationsName);
        var backorders = File.Exists(backordersPath) ? StockCsv.OrderLines(backordersName, backordersPath, versioned) : CsvRead<RawOrderLine>.Absent(backordersName);
        read = new CsvStateFiles(
            [batches.File, allocations.File, backorders.File],
            new KeptColumns(batches.Layout ?? CsvLayout.Standard(StockCsv.BatchColumns)),
            new KeptColumns(allocations.Layout ?? CsvLayout.Standard(StockCsv.AllocationColumns), backorders.Layout),
            new KeptColumns(backorders.Layout ?? CsvLayout.Standard(StockCsv.OrderLineColumns), allocations.Layout));
        return new StoreSnapshot(
            new StateRows(batches.Table, allocations.Table, backorders.Table),
            [.. batches.RowErrors, .. allocations.RowErrors, .. backorders.RowErrors],
            [.. batches.FileErrors, .. allocations.FileErrors, .. backorders.FileErrors],
            versioned ? VersionOf(read.Files.Select(f => f.Sha256)) : null);
    }

    public Option<Problem> Commit(StoreVersion expected, Func<StockChange> prepare)
    {
        var files = read ?? throw new InvalidOperationException("the store commits only what it has read");
        // The new files and journal line are worked out on another core while the state files are
        // hashed again: no other run may have committed since they were read.
        var preparing = OwnThread<StockChange>.Start(prepare);
        if (HasPending || CurrentVersion() != expected)
        {
            return Problem.Refused($"{Directory}: another run changed STATE while this one was planning; nothing was changed, run again");
        }
        var change = preparing.Join();
        var entry = change.Entry with { Inputs = [.. change.Entry.Inputs, .. files.Files] };
        var line = StockJournal.Line(entry, json => WriteValuesLeftBehind(json, change.After, files));
        CommitFiles(change.Before, change.After, line, change.History, files);
        return None;
    }

    public IReadOnlyList<string> Journal()
    {
        // As a dry run reads the state: a commit that is marked but not finished is part of it.
        var staged = Path.Combine(Pending, JournalFile);
        if (Committed && File.Exists(staged))
        {
            return JournalLines(staged);
        }
        var lines = JournalLines(Path.Combine(Directory, JournalFile));
        var entry = Path.Combine(Pending, JournalEntryFile);
        if (Committed && File.Exists(entry) && JournalLines(entry) is [var pending] && (lines.Count == 0 || lines[^1] != pending))
        {
            lines.Add(pending);
        }
        return lines;
    }

    /// <summary>The complete lines of a journal file (none when it is absent); a torn last line, without
    /// its newline, is not an entry.</summary>
    private static List<string> JournalLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        var text = File.ReadAllText(path, Encoding.UTF8);
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }

    public string Changes(StoreVersion then, StoreVersion now)
    {
        var before = Fingerprints(then);
        return string.Join(", ", Fingerprints(now).Where(p => !before.TryGetValue(p.Key, out var sha) || sha != p.Value).Select(p => p.Key));
    }

    /// <summary>The version of files with these fingerprints (in the order batches, allocations,
    /// unallocated; null for an absent file): each file's name and SHA-256.</summary>
    private static StoreVersion VersionOf(IEnumerable<string?> fingerprints) =>
        new(string.Join(";", StateFiles.Zip(fingerprints, (name, sha) => $"{name}:{sha ?? "-"}")));

    private static readonly string[] StateFiles = [BatchesFile, AllocationsFile, UnallocatedFile];

    private static Dictionary<string, string> Fingerprints(StoreVersion version) =>
        version.Token.Split(';').Select(p => p.Split(':')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>The version of the state files as they are now. batches.csv, the largest, is hashed on a
    /// core of its own while the others are.</summary>
    private StoreVersion CurrentVersion()
    {
        var first = OwnThread<StrongBox<string?>>.Start(() => new StrongBox<string?>(InputFile.Sha256Of(Path.Combine(Directory, StateFiles[0]))));
        var rest = StateFiles.Skip(1).Select(name => InputFile.Sha256Of(Path.Combine(Directory, name))).ToList();
        return VersionOf([first.Join().Value, .. rest]);
    }

    /// <summary>
    /// The extra values of order lines that moved to the other order-line file, which has no column for
    /// them: the journal keeps them, so that no value is silently dropped. Nothing is written when there
    /// are none.
    /// </summary>
    private static void WriteValuesLeftBehind(Utf8JsonWriter json, StockState after, CsvStateFiles files)
    {
        var left = new List<(string OrderId, string Sku, string File, (string Column, int Position, string Value) Value)>();
        if (files.Allocations.TakesFromOther)
        {
            foreach (var allocation in after.Allocations)
            {
                foreach (var value in files.Allocations.Left(StockCsv.LineKeyText(allocation.OrderId, allocation.Sku)))
                {
                    left.Add((allocation.OrderId, allocation.Sku, UnallocatedFile, value));
                }
            }
        }
        if (files.Backorders.TakesFromOther)
        {
            foreach (var line in after.Backorders)
            {
                foreach (var value in files.Backorders.Left(StockCsv.LineKeyText(line.OrderId, line.Sku)))
                {
                    left.Add((line.OrderId, line.Sku, AllocationsFile, value));
                }
            }
        }
        if (left.Count == 0)
        {
            return;
        }
        json.WriteStartArray("values_left_behind");
        foreach (var (orderId, sku, file, (column, position, value)) in left)
        {
            json.WriteStartObject();
            json.WriteString("orderid", orderId);
            json.WriteString("sku", sku);
            json.WriteString("file", file);
            json.WriteString("column", column);
            json.WriteNumber("position", position);
            json.WriteString("value", value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Finishes or undoes a commit that a crash interrupted (see the class comment).</summary>
    private void RecoverUnderLock()
    {
        if (!System.IO.Directory.Exists(Pending))
        {
            return;
        }
        if (Committed)
        {
            // A commit that brings a history (a copy) stages the whole journal, as it does a state file.
            foreach (var name in new[] { BatchesFile, AllocationsFile, UnallocatedFile, JournalFile })
            {
                var staged = Path.Combine(Pending, name);
                if (File.Exists(staged))
                {
                    File.Move(staged, Path.Combine(Directory, name), overwrite: true);
                    KillPoint.Step();
                }
            }
            SyncDirectory(Directory);
            var entry = Path.Combine(Pending, JournalEntryFile);
            if (File.Exists(entry))
            {
                AppendJournal(File.ReadAllText(entry, Encoding.UTF8));
                KillPoint.Step();
            }
        }
        System.IO.Directory.Delete(Pending, recursive: true);
    }

    /// <summary>Replaces the state files whose content changed, and appends the journal line, as one commit.</summary>
    private void CommitFiles(StockState before, StockState after, string journalLine, IReadOnlyList<string> history, CsvStateFiles loaded)
    {
        RecoverUnderLock();
        System.IO.Directory.CreateDirectory(Pending);
        // batches.csv, the largest, is written on a core of its own while the others are; all of them are
        // staged before the commit point, so the order in which they are written does not matter.
        var batches = OwnThread<CsvStockStore>.Start(() =>
        {
            if (!Same(before.Batches, after.Batches))
            {
                Stage(BatchesFile, s => StockCsv.WriteBatches(s, after.Batches, loaded.Batches));
            }
            return this;
        });
        try
        {
            if (!Same(before.Allocations, after.Allocations))
            {
                Stage(AllocationsFile, s => StockCsv.WriteAllocations(s, after.Allocations, loaded.Allocations));
            }
            if (!Same(before.Backorders, after.Backorders))
            {
                Stage(UnallocatedFile, s => StockCsv.WriteOrderLines(s, after.Backorders, loaded.Backorders));
            }
            if (history.Count == 0)
            {
                Stage(JournalEntryFile, s => s.Write(Encoding.UTF8.GetBytes(journalLine + "\n")));
            }
            else
            {
                // Earlier entries come first: the journal is written whole, and replaces the old one.
                string[] journal = [.. JournalLines(Path.Combine(Directory, JournalFile)), .. history, journalLine];
                Stage(JournalFile, s => s.Write(Encoding.UTF8.GetBytes(string.Join("\n", journal) + "\n")));
            }
        }
        catch
        {
            // As when written one after the other: a failure to write batches.csv is the one reported.
            batches.Join();
            throw;
        }
        batches.Join();
        SyncDirectory(Pending);
        var marker = Path.Combine(Pending, CommitMarker);
        Stage(CommitMarker + ".tmp", _ => { });
        File.Move(marker + ".tmp", marker);
        SyncDirectory(Pending);
        KillPoint.Step();
        RecoverUnderLock();
    }

    /// <summary>The name a state file is reported by, and the path to read it from (its staged copy when
    /// a commit is marked but not finished).</summary>
    private (string Name, string Path) Input(string name)
    {
        var reported = Path.Combine(Directory, name);
        var staged = Path.Combine(Pending, name);
        return (reported, Committed && File.Exists(staged) ? staged : reported);
    }

    /// <summary>Whether two lists hold equal rows in the same order; the rows a plan leaves alone are the
    /// very same objects, so this is mostly a comparison of references.</summary>
    private static bool Same<T>(Seq<T> before, Seq<T> after)
        where T : IEquatable<T> =>
        before.Count == after.Count && before.AsEnumerable().SequenceEqual(after.AsEnumerable());

    private void Stage(string name, Action<Stream> write)
    {
        using var stream = new FileStream(Path.Combine(Pending, name), FileMode.Create, FileAccess.Write, FileShare.None);
        KillPoint.Step();
        write(stream);
        stream.Flush(flushToDisk: true);
        KillPoint.Step();
    }

    /// <summary>Appends one line, idempotently: a crash during an earlier roll-forward may have appended
    /// it already, or left a torn last line (no final newline), which is cut off first.</summary>
    private void AppendJournal(string line)
    {
        var path = Path.Combine(Directory, JournalFile);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var bytes = Encoding.UTF8.GetBytes(line);
        var lastLineStart = TrimTornTail(stream);
        if (stream.Length - lastLineStart == bytes.Length)
        {
            var last = new byte[bytes.Length];
            stream.Position = lastLineStart;
            stream.ReadExactly(last);
            if (last.AsSpan().SequenceEqual(bytes))
            {
                return;
            }
        }
        stream.Position = stream.Length;
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Cuts a last line that has no newline; returns where the (complete) last line starts.</summary>
    private static long TrimTornTail(FileStream stream)
    {
        if (stream.Length == 0)
        {
            return 0;
        }
        var lastNewline = LastNewlineBefore(stream, stream.Length);
        if (lastNewline != stream.Length - 1)
        {
            stream.SetLength(lastNewline + 1);
        }
        return stream.Length == 0 ? 0 : LastNewlineBefore(stream, stream.Length - 1) + 1;
    }

    /// <summary>The position of the last newline before <paramref name="end"/>, or -1; reads backwards in chunks.</summary>
    private static long LastNewlineBefore(FileStream stream, long end)
    {
        var buffer = new byte[64 * 1024];
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, count);
            var found = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (found >= 0)
            {
                return start + found;
            }
            end = start;
        }
        return -1;
    }

    private static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals renames; there is no directory handle to flush.
        }
        var fd = Open(path, 0);
        if (fd < 0)
        {
            return;
        }
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>What the CSV store keeps of the files it read: their fingerprints, and each file's header and
/// extra columns to write back (an order line's values are found in either order-line file, since lines
/// move between them).</summary>
internal sealed record CsvStateFiles(IReadOnlyList<InputFile> Files, KeptColumns Batches, KeptColumns Allocations, KeptColumns Backorders);
