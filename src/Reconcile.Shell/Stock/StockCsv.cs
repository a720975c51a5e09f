using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The result of reading one CSV file: the file (its fingerprint), its rows as text, what was wrong with
/// the file itself, and the columns reconcile does not use, kept so that rewriting the file loses none of them.
/// </summary>
internal sealed record CsvRead<T>(InputFile File, RawTable<T> Table, IReadOnlyList<StockError> RowErrors, IReadOnlyList<StockError> FileErrors)
{
    public ExtraColumns Extras { get; init; } = ExtraColumns.None;

    /// <summary>An absent optional file: no rows, no errors.</summary>
    public static CsvRead<T> Absent(string name) => new(InputFile.Missing(name), new RawTable<T>(name, []), [], []);
}

/// <summary>
/// A file's header as it was (column order included) and, per row key (a batch's ref; an order line's
/// order id and sku), the values of the columns that are not reconcile's, from the first row with that
/// key. A state file is rewritten with the same header, each row with its own extra values; a row new to
/// the file gets them empty.
/// </summary>
internal sealed record ExtraColumns(string[] Header, string[] Names, IReadOnlyDictionary<string, string[]> ByKey)
{
    public static readonly ExtraColumns None = new([], [], new Dictionary<string, string[]>());
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
        var extras = ExtraColumns.None;
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
                if (extraIndex.Length > 0)
                {
                    extras = new ExtraColumns(headers, extraIndex.Select(h => headers[h]).ToArray(), extraByKey);
                }
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
        var read = new InputFile(name, true, sha256);
        if (encodingError is { } bad)
        {
            return new CsvRead<T>(read, new RawTable<T>(name, []), [], [new StockError(name, bad.Line, bad.Message)]);
        }
        if (fileErrors.Count > 0)
        {
            return new CsvRead<T>(read, new RawTable<T>(name, []), rowErrors, fileErrors);
        }
        return new CsvRead<T>(read, new RawTable<T>(name, rows), rowErrors, fileErrors) { Extras = extras };
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

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

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
    private static void WriteNumber(CsvWriter writer, int value)
    {
        Span<byte> text = stackalloc byte[11];
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
        var header = kept is { Header.Length: > 0 } ? kept.Header : columns;
        var positions = header.Select(name => Array.IndexOf(columns, name)).ToArray();
        var options = CsvWriterOptions.Default with
        {
            NewLine = "\n",
            Separator = ',',
            Injection = CsvInjection.None,
            WriteByteOrderMark = false,
            FormatProvider = CultureInfo.InvariantCulture,
            BufferSize = WriteBufferSize,
        };
        using var writer = CsvWriter.Create(stream, options, leaveOpen: true);
        foreach (var name in header)
        {
            writer.WriteField(name);
        }
        writer.EndRecord();
        foreach (var row in rows)
        {
            string? rowKey = null;
            for (var i = 0; i < header.Length; i++)
            {
                if (positions[i] >= 0)
                {
                    field(writer, row, positions[i]);
                }
                else
                {
                    writer.WriteField(kept!.Value(rowKey ??= key(row), header[i]));
                }
            }
            writer.EndRecord();
        }
        writer.Flush();
    }

    private const int WriteBufferSize = 1 << 20;
}

/// <summary>
/// The extra columns of a state file to write back: its header as read, and the extra values of each row
/// by row key (a batch's ref; an order line's order id and sku, looked up in either order-line file so
/// that a line keeps its values when it moves between allocations.csv and unallocated.csv).
/// </summary>
internal sealed record KeptColumns(string[] Header, IReadOnlyList<ExtraColumns> Tables)
{
    /// <summary>The value of <paramref name="column"/> for the row <paramref name="key"/>, from the first
    /// table that has both (the last column of that name, if a header repeats it), else empty.</summary>
    public string Value(string key, string column)
    {
        foreach (var table in Tables)
        {
            if (table.ByKey.TryGetValue(key, out var values) && Array.LastIndexOf(table.Names, column) is var i and >= 0)
            {
                return values[i];
            }
        }
        return "";
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
