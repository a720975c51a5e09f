using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The result of reading one CSV file: the file (its fingerprint), its rows as text, what was wrong with
/// the file itself, and its layout (header and the columns reconcile does not use), kept so that
/// rewriting the file loses none of them.
/// </summary>
internal sealed record CsvRead<T>(InputFile File, RawTable<T> Table, IReadOnlyList<StockError> RowErrors, IReadOnlyList<StockError> FileErrors)
{
    /// <summary>Null for a file that was not read whole (absent, or bad): it is written in the standard layout.</summary>
    public CsvLayout? Layout { get; init; }

    /// <summary>An absent optional file: no rows, no errors.</summary>
    public static CsvRead<T> Absent(string name) => new(InputFile.Missing(name), new RawTable<T>(name, []), [], []);
}

/// <summary>
/// A file's header as it was and, per row key (a batch's ref; an order line's order id and sku), the
/// values of the columns that are not reconcile's, by position. <c>HeaderLine</c> is the header's bytes
/// as read (without a byte-order mark or CR), written back as they were; <c>Extra</c> are the positions
/// of the other columns in <c>Header</c>, and each row's values follow that order.
/// </summary>
internal sealed record CsvLayout(byte[]? HeaderLine, string[] Header, int[] Extra, IReadOnlyDictionary<string, string[]> ByKey)
{
    /// <summary>The layout of a file written from nothing: the standard header, no extra columns.</summary>
    public static CsvLayout Standard(string[] columns) => new(null, columns, [], new Dictionary<string, string[]>());

    /// <summary>The name of each extra column with its occurrence among extra columns of that name (0 for
    /// the first): how a value finds its column in another file whose header repeats names differently.</summary>
    public (string Name, int Occurrence)[] ExtraNames()
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return Extra.Select(h =>
        {
            var name = Header[h];
            var n = seen.GetValueOrDefault(name);
            seen[name] = n + 1;
            return (name, n);
        }).ToArray();
    }
}

/// <summary>
/// Reads and writes the stock CSV formats. Reading is strict where CsvHelper is lenient: the separator is
/// a comma (never guessed), header names match exactly, every record must have as many fields as the
/// header, and malformed quoting is a bad row instead of being repaired. Columns may come in any order and
/// extra ones are ignored. Writing uses LF line endings, no byte-order mark, and the invariant culture.
/// </summary>
/// <remarks>
/// A file is streamed, never held whole in memory: its bytes are checked (UTF-8, fingerprint) as the
/// parser reads them, and each row keeps only its fields. Skus, quantities, etas and batch refs repeat
/// from row to row, and the parser's string pool gives one string for each value.
/// </remarks>
internal static class StockCsv
{
    public static readonly string[] BatchColumns = ["ref", "sku", "qty", "eta"];
    public static readonly string[] AllocationColumns = ["orderid", "sku", "qty", "batchref"];
    public static readonly string[] OrderLineColumns = ["orderid", "sku", "qty"];

    /// <summary>Reads <paramref name="path"/>, reported as <paramref name="name"/>; <paramref name="fingerprint"/>
    /// says whether its SHA-256 is needed.</summary>
    public static CsvRead<RawBatch> Batches(string name, string path, bool fingerprint) =>
        Read(name, path, fingerprint, BatchColumns, (line, v) => new RawBatch(line, v[0], v[1], v[2], v[3]), v => v[0]);

    public static CsvRead<RawAllocation> Allocations(string name, string path, bool fingerprint) =>
        Read(name, path, fingerprint, AllocationColumns, (line, v) => new RawAllocation(line, v[0], v[1], v[2], v[3]), v => LineKeyText(v[0], v[1]));

    public static CsvRead<RawOrderLine> OrderLines(string name, string path, bool fingerprint) =>
        Read(name, path, fingerprint, OrderLineColumns, (line, v) => new RawOrderLine(line, v[0], v[1], v[2]), v => LineKeyText(v[0], v[1]));

    // Compiled at run time for each kind of row (a value type of the core): optimized at once rather than
    // first in a quick unoptimized form, since it runs once, over millions of rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CsvRead<T> Read<T>(string name, string path, bool fingerprint, string[] columns, Func<int, string[], T> row, Func<string[], string> key)
    {
        if (!File.Exists(path))
        {
            return new CsvRead<T>(InputFile.Missing(name), new RawTable<T>(name, []), [], [new StockError(name, 0, "file not found")]);
        }
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
        using var input = new CheckedInput(file, fingerprint);
        var rows = new List<T>(1 << 12);
        CsvLayout? layout = null;
        var rowErrors = new List<StockError>();
        var fileErrors = new List<StockError>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.Throw,
            PoolStrings = true,
            BufferSize = ReadBufferSize,
            OnMalformedRecord = bad => rowErrors.Add(new StockError(name, (int)bad.LineNumber, Malformed(bad.Reason))),
        };
        try
        {
            using var reader = CsvReader.Create(input, options, leaveOpen: true);
            var headers = reader.Headers.ToArray();
            var index = ColumnIndexes(name, headers, columns, fileErrors);
            if (fileErrors.Count == 0)
            {
                var extraIndex = Enumerable.Range(0, headers.Length).Where(h => !columns.Contains(headers[h], StringComparer.Ordinal)).ToArray();
                var extraByKey = new Dictionary<string, string[]>(StringComparer.Ordinal);
                var values = new string[columns.Length];
                // Skus repeat, but too many of them for the parser's own pool, which keeps quantities and etas.
                var skus = new TextPool();
                var sku = Array.IndexOf(columns, "sku");
                while (reader.Read())
                {
                    var line = (int)reader.LineNumber;
                    if (reader.FieldCount != headers.Length)
                    {
                        rowErrors.Add(new StockError(name, line, $"{reader.FieldCount} fields, but the header has {headers.Length}"));
                        continue;
                    }
                    var tooLong = false;
                    for (var i = 0; i < columns.Length; i++)
                    {
                        values[i] = i == sku ? skus.Get(reader, index[i]) : reader.GetString(index[i]);
                        if (values[i].Length > MaxFieldLength)
                        {
                            rowErrors.Add(new StockError(name, line, $"{columns[i]} is {values[i].Length} characters long; at most {MaxFieldLength} are allowed"));
                            tooLong = true;
                        }
                    }
                    if (!tooLong)
                    {
                        if (rows.Count == rows.Capacity)
                        {
                            rows.Capacity = Room(rows.Count, reader.ByteOffset, file.Length);
                        }
                        rows.Add(row(line, values));
                        if (extraIndex.Length > 0)
                        {
                            var extra = new string[extraIndex.Length];
                            for (var i = 0; i < extra.Length; i++)
                            {
                                extra[i] = reader.GetString(extraIndex[i]);
                            }
                            extraByKey.TryAdd(key(values), extra);
                        }
                    }
                }
                layout = new CsvLayout(null, headers, extraIndex, extraByKey);
            }
        }
        catch (CsvFormatException e)
        {
            rowErrors.Add(new StockError(name, (int)e.LineNumber, e.Message));
        }
        catch (Exception) when (input.Bad)
        {
            // The parser saw the end of the input at the first byte that is not UTF-8 text; whatever it
            // made of the rest, the file is reported as not UTF-8, below.
        }
        var (sha256, encodingError) = input.Finish();
        if (layout is not null && input.HeaderLine is { } headerLine && IsWholeHeader(headerLine))
        {
            layout = layout with { HeaderLine = headerLine };
        }
        var read = new InputFile(name, true, sha256);
        if (encodingError is { } bad)
        {
            return new CsvRead<T>(read, new RawTable<T>(name, []), [], [new StockError(name, bad.Line, bad.Message)]);
        }
        if (fileErrors.Count > 0)
        {
            return new CsvRead<T>(read, new RawTable<T>(name, []), rowErrors, fileErrors);
        }
        return new CsvRead<T>(read, new RawTable<T>(name, rows), rowErrors, fileErrors) { Layout = layout };
    }

    /// <summary>
    /// The room for rows when the list of <paramref name="count"/> is full at byte <paramref name="offset"/>
    /// of <paramref name="length"/>: as many as the rest of the file holds at the rows' size so far, and a
    /// little more. A list that doubles leaves as much again behind as garbage, and up to half of it unused.
    /// </summary>
    private static int Room(int count, long offset, long length)
    {
        var projected = offset > 0 ? (long)count * length / offset : 0;
        var room = Math.Max(projected + (projected / 32) + 1024, count + (count / 8) + 16);
        return (int)Math.Min(room, Array.MaxLength);
    }

    /// <summary>Whether the first physical line holds the whole header: a quoted line break would leave
    /// a quote open in it (then the header is written from its names instead).</summary>
    private static bool IsWholeHeader(byte[] line) => line.AsSpan().Count((byte)'"') % 2 == 0;

    /// <summary>Large reads: fewer system calls for files of millions of rows.</summary>
    private const int ReadBufferSize = 1 << 20;

    /// <summary>No reference, sku or order id is this long; a longer field is a broken or hostile file.</summary>
    public const int MaxFieldLength = 1000;

    private static int[] ColumnIndexes(string file, string[] headers, string[] columns, List<StockError> errors)
    {
        var index = new int[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var matches = Enumerable.Range(0, headers.Length).Where(h => string.Equals(headers[h], columns[i], StringComparison.Ordinal)).ToList();
            if (matches.Count == 0)
            {
                errors.Add(new StockError(file, 1, $"missing required column '{columns[i]}' (the header needs {string.Join(",", columns)})"));
            }
            else if (matches.Count > 1)
            {
                errors.Add(new StockError(file, 1, $"column '{columns[i]}' appears {matches.Count} times"));
            }
            else
            {
                index[i] = matches[0];
            }
        }
        return index;
    }

    private static string Malformed(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "malformed quoting: a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "malformed quoting: text after a closing quote",
        CsvMalformedReason.UnterminatedQuote => "malformed quoting: a quoted field is never closed",
        _ => $"malformed record ({reason})",
    };

    public static void WriteBatches(Stream stream, IEnumerable<Batch> batches, KeptColumns? kept = null) =>
        Write(stream, BatchColumns, batches, WriteBatchField, kept, b => b.Ref);

    public static void WriteAllocations(Stream stream, IEnumerable<Allocation> allocations, KeptColumns? kept = null) =>
        Write(stream, AllocationColumns, allocations, WriteAllocationField, kept, a => LineKeyText(a.OrderId, a.Sku));

    public static void WriteOrderLines(Stream stream, IEnumerable<OrderLine> lines, KeptColumns? kept = null) =>
        Write(stream, OrderLineColumns, lines, WriteOrderLineField, kept, l => LineKeyText(l.OrderId, l.Sku));

    /// <summary>The key under which an order line's extra values are kept: order lines move between files.</summary>
    public static string LineKeyText(string orderId, string sku) => orderId + "\u0000" + sku;

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Date(DateOnly? value) => value?.ToString(DateFormat, CultureInfo.InvariantCulture) ?? "";

    private const string DateFormat = "yyyy-MM-dd";

    // Each writes column number `column` of BatchColumns, AllocationColumns or OrderLineColumns; numbers
    // and dates are formatted straight into the output, with the writer's invariant culture.
    private static void WriteBatchField(CsvWriter writer, Batch batch, int column)
    {
        switch (column)
        {
            case 0:
                writer.WriteField(batch.Ref);
                break;
            case 1:
                writer.WriteField(batch.Sku);
                break;
            case 2:
                WriteNumber(writer, batch.Qty);
                break;
            default:
                WriteDate(writer, batch.Eta);
                break;
        }
    }

    private static void WriteAllocationField(CsvWriter writer, Allocation allocation, int column)
    {
        switch (column)
        {
            case 0:
                writer.WriteField(allocation.OrderId);
                break;
            case 1:
                writer.WriteField(allocation.Sku);
                break;
            case 2:
                WriteNumber(writer, allocation.Qty);
                break;
            default:
                writer.WriteField(allocation.BatchRef);
                break;
        }
    }

    private static void WriteOrderLineField(CsvWriter writer, OrderLine line, int column)
    {
        switch (column)
        {
            case 0:
                writer.WriteField(line.OrderId);
                break;
            case 1:
                writer.WriteField(line.Sku);
                break;
            default:
                WriteNumber(writer, line.Qty);
                break;
        }
    }

    /// <summary>A number in the invariant culture, formatted straight into UTF-8.</summary>
    private static void WriteNumber(CsvWriter writer, long value)
    {
        Span<byte> text = stackalloc byte[20];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        writer.WriteField((ReadOnlySpan<byte>)text[..length]);
    }

    /// <summary>A date as <c>yyyy-MM-dd</c> (what <see cref="Date"/> gives), digit by digit; empty for none.</summary>
    private static void WriteDate(CsvWriter writer, DateOnly? value)
    {
        if (value is not { } date)
        {
            writer.WriteField(ReadOnlySpan<byte>.Empty);
            return;
        }
        Span<byte> text = stackalloc byte[10];
        Digits(text[..4], date.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), date.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), date.Day);
        writer.WriteField((ReadOnlySpan<byte>)text);

        static void Digits(Span<byte> into, int number)
        {
            for (var i = into.Length - 1; i >= 0; i--)
            {
                into[i] = (byte)('0' + (number % 10));
                number /= 10;
            }
        }
    }

    private static void Write<T>(Stream stream, string[] columns, IEnumerable<T> rows, Action<CsvWriter, T, int> field, KeptColumns? kept, Func<T, string> key)
    {
        var layout = kept?.Layout ?? CsvLayout.Standard(columns);
        var header = layout.Header;
        var positions = header.Select(name => Array.IndexOf(columns, name)).ToArray();
        var extraSlot = new int[header.Length];
        Array.Fill(extraSlot, -1);
        for (var j = 0; j < layout.Extra.Length; j++)
        {
            extraSlot[layout.Extra[j]] = j;
        }
        var options = CsvWriterOptions.Default with
        {
            NewLine = "\n",
            Separator = ',',
            Injection = CsvInjection.None,
            WriteByteOrderMark = false,
            FormatProvider = CultureInfo.InvariantCulture,
            BufferSize = WriteBufferSize,
        };
        if (layout.HeaderLine is { } line)
        {
            // The header exactly as it was: a program that reads the file by position, or by names
            // spelt or quoted its own way, still finds its columns.
            stream.Write(line);
            stream.WriteByte((byte)'\n');
        }
        using var writer = CsvWriter.Create(stream, options, leaveOpen: true);
        if (layout.HeaderLine is null)
        {
            foreach (var name in header)
            {
                writer.WriteField(name);
            }
            writer.EndRecord();
        }
        foreach (var row in rows)
        {
            string[]? extras = null;
            for (var i = 0; i < header.Length; i++)
            {
                if (positions[i] >= 0)
                {
                    field(writer, row, positions[i]);
                }
                else
                {
                    extras ??= kept!.ValuesOf(key(row));
                    writer.WriteField(extras[extraSlot[i]]);
                }
            }
            writer.EndRecord();
        }
        writer.Flush();
    }

    private const int WriteBufferSize = 1 << 20;
}

/// <summary>
/// What a state file keeps when it is written back: its layout as read, and (for an order-line file) the
/// layout of the other order-line file, since lines move between allocations.csv and unallocated.csv. A
/// row keeps its own values by position; a line that moved takes its values into the columns of the same
/// name (the first of a repeated name into the first, and so on); a row new to both files gets them empty.
/// </summary>
internal sealed class KeptColumns(CsvLayout layout, CsvLayout? other = null)
{
    private (int[] Into, (string Name, int Occurrence)[] Names)? moves;

    public CsvLayout Layout { get; } = layout;

    /// <summary>The values of this file's extra columns for the row <paramref name="key"/>.</summary>
    public string[] ValuesOf(string key)
    {
        if (Layout.ByKey.TryGetValue(key, out var own))
        {
            return own;
        }
        var values = new string[Layout.Extra.Length];
        Array.Fill(values, "");
        if (other is not null && other.ByKey.TryGetValue(key, out var theirs))
        {
            var into = Moves().Into;
            for (var j = 0; j < theirs.Length; j++)
            {
                if (into[j] >= 0)
                {
                    values[into[j]] = theirs[j];
                }
            }
        }
        return values;
    }

    /// <summary>
    /// The values a row that came from the other file could not take with it, since this file has no
    /// column for them: each with its column's name and position (from 1) in the other file. Empty
    /// values are not listed: nothing is lost with them.
    /// </summary>
    public IEnumerable<(string Column, int Position, string Value)> Left(string key)
    {
        if (other is null || Layout.ByKey.ContainsKey(key) || !other.ByKey.TryGetValue(key, out var theirs))
        {
            yield break;
        }
        var (into, names) = Moves();
        for (var j = 0; j < theirs.Length; j++)
        {
            if (into[j] < 0 && theirs[j].Length > 0)
            {
                yield return (names[j].Name, other.Extra[j] + 1, theirs[j]);
            }
        }
    }

    /// <summary>Whether rows may come from the other file with values of their own.</summary>
    public bool TakesFromOther => other is { ByKey.Count: > 0 };

    /// <summary>For each extra column of the other file, the extra column of this one that takes its
    /// values (same name, same occurrence), or -1.</summary>
    private (int[] Into, (string Name, int Occurrence)[] Names) Moves()
    {
        if (moves is { } known)
        {
            return known;
        }
        var mine = Layout.ExtraNames();
        var theirs = other!.ExtraNames();
        var into = theirs.Select(t => Array.IndexOf(mine, t)).ToArray();
        moves = (into, theirs);
        return moves.Value;
    }
}

/// <summary>
/// Hands out one string per distinct value of a column, looked up without allocating; the value of the
/// row before, which files sorted by it repeat, is tried first.
/// </summary>
internal sealed class TextPool
{
    private readonly System.Collections.Generic.HashSet<string> strings;
    private readonly System.Collections.Generic.HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly char[] scratch = new char[StockCsv.MaxFieldLength];
    private string last = "";

    public TextPool()
    {
        strings = new(StringComparer.Ordinal);
        lookup = strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Get(CsvReader reader, int index)
    {
        var utf8 = reader.GetSpan(index);
        if (utf8.Length > scratch.Length)
        {
            return reader.GetString(index);
        }
        System.Text.Unicode.Utf8.ToUtf16(utf8, scratch, out _, out var written);
        var chars = scratch.AsSpan(0, written);
        if (chars.SequenceEqual(last))
        {
            return last;
        }
        if (!lookup.TryGetValue(chars, out var known))
        {
            known = new string(chars);
            strings.Add(known);
        }
        last = known;
        return known;
    }
}
