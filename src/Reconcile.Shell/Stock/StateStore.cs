using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>The state files of a STATE directory as read: their rows, to be validated, and what is kept of them.</summary>
internal sealed record ReadState(CsvRead<RawBatch> Batches, CsvRead<RawAllocation> Allocations, CsvRead<RawOrderLine> Backorders)
{
    public RawState Raw => new(Batches.Table, Allocations.Table, Backorders.Table);

    /// <summary>What a run keeps once the rows are validated: the files' fingerprints and extra columns.</summary>
    public LoadedState Loaded => new(
        [Batches.File, Allocations.File, Backorders.File],
        new KeptColumns(Batches.Layout ?? CsvLayout.Standard(StockCsv.BatchColumns)),
        new KeptColumns(Allocations.Layout ?? CsvLayout.Standard(StockCsv.AllocationColumns), Backorders.Layout),
        new KeptColumns(Backorders.Layout ?? CsvLayout.Standard(StockCsv.OrderLineColumns), Allocations.Layout));
}

/// <summary>
/// The state files as a run keeps them: their fingerprints, and the extra columns of each, to be written
/// back with them (an order line's values are looked up in either order-line file, since lines move
/// between them).
/// </summary>
internal sealed record LoadedState(IReadOnlyList<InputFile> Files, KeptColumns Batches, KeptColumns Allocations, KeptColumns Backorders);

/// <summary>
/// The STATE directory: batches.csv, allocations.csv, unallocated.csv and journal.jsonl.
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
internal sealed partial class StateStore(string directory)
{
    public const string BatchesFile = "batches.csv";
    public const string AllocationsFile = "allocations.csv";
    public const string UnallocatedFile = "unallocated.csv";
    public const string JournalFile = "journal.jsonl";
    private const string PendingDirectory = ".reconcile-pending";
    private const string CommitMarker = "COMMITTED";
    private const string JournalEntry = "journal-entry.jsonl";
    private const string LockFile = ".reconcile.lock";

    public string Directory { get; } = directory;

    private string Pending => Path.Combine(Directory, PendingDirectory);

    private bool Committed => File.Exists(Path.Combine(Pending, CommitMarker));

    public bool HasPending => System.IO.Directory.Exists(Pending);

    /// <summary>Whether the state files still have the bytes they had when they were read. The first file
    /// (batches.csv, the largest) is hashed on a core of its own while the others are.</summary>
    public bool Unchanged(IReadOnlyList<InputFile> files)
    {
        string? Now(InputFile file) => InputFile.Sha256Of(Path.Combine(Directory, Path.GetFileName(file.Name)));
        if (files.Count == 0)
        {
            return true;
        }
        var first = OwnThread<StrongBox<string?>>.Start(() => new StrongBox<string?>(Now(files[0])));
        var rest = files.Skip(1).All(f => f.Sha256 == Now(f));
        return files[0].Sha256 == first.Join().Value && rest;
    }

    /// <summary>The run lock of this store (see <see cref="RunLock"/>); inside STATE, beside the files it guards.</summary>
    public string LockPath => Path.Combine(Directory, LockFile);

    /// <summary>Reads the state files; <paramref name="fingerprint"/> says whether their SHA-256 is needed.
    /// batches.csv must exist; the other two are empty when absent.</summary>
    public ReadState Load(bool fingerprint)
    {
        var (batchesName, batchesPath) = Input(BatchesFile);
        var (allocationsName, allocationsPath) = Input(AllocationsFile);
        var (backordersName, backordersPath) = Input(UnallocatedFile);
        return new ReadState(
            StockCsv.Batches(batchesName, batchesPath, fingerprint),
            File.Exists(allocationsPath) ? StockCsv.Allocations(allocationsName, allocationsPath, fingerprint) : CsvRead<RawAllocation>.Absent(allocationsName),
            File.Exists(backordersPath) ? StockCsv.OrderLines(backordersName, backordersPath, fingerprint) : CsvRead<RawOrderLine>.Absent(backordersName));
    }

    /// <summary>Finishes or undoes a commit that a crash interrupted (see the class comment).</summary>
    public void Recover()
    {
        if (!System.IO.Directory.Exists(Pending))
        {
            return;
        }
        if (Committed)
        {
            foreach (var name in new[] { BatchesFile, AllocationsFile, UnallocatedFile })
            {
                var staged = Path.Combine(Pending, name);
                if (File.Exists(staged))
                {
                    File.Move(staged, Path.Combine(Directory, name), overwrite: true);
                    KillPoint.Step();
                }
            }
            SyncDirectory(Directory);
            var entry = Path.Combine(Pending, JournalEntry);
            if (File.Exists(entry))
            {
                AppendJournal(File.ReadAllText(entry, Encoding.UTF8));
                KillPoint.Step();
            }
        }
        System.IO.Directory.Delete(Pending, recursive: true);
    }

    /// <summary>Replaces the state files whose content changed, and appends the journal line, as one commit.</summary>
    public void Commit(StockState before, StockState after, string journalLine, LoadedState? loaded = null)
    {
        Recover();
        System.IO.Directory.CreateDirectory(Pending);
        // batches.csv, the largest, is written on a core of its own while the others are; all of them are
        // staged before the commit point, so the order in which they are written does not matter.
        var batches = OwnThread<StateStore>.Start(() =>
        {
            if (!Same(before.Batches, after.Batches))
            {
                Stage(BatchesFile, s => StockCsv.WriteBatches(s, after.Batches, loaded?.Batches));
            }
            return this;
        });
        try
        {
            if (!Same(before.Allocations, after.Allocations))
            {
                Stage(AllocationsFile, s => StockCsv.WriteAllocations(s, after.Allocations, loaded?.Allocations));
            }
            if (!Same(before.Backorders, after.Backorders))
            {
                Stage(UnallocatedFile, s => StockCsv.WriteOrderLines(s, after.Backorders, loaded?.Backorders));
            }
            Stage(JournalEntry, s => s.Write(Encoding.UTF8.GetBytes(journalLine + "\n")));
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
        Recover();
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
