using System.Globalization;
using CsvHelper;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The result of reading one CSV file: its rows as text, what was wrong with the file itself, and the
/// columns reconcile does not use, kept so that rewriting the file loses none of them.
/// </summary>
internal sealed record CsvRead<T>(RawTable<T> Table, IReadOnlyList<StockError> RowErrors, IReadOnlyList<StockError> FileErrors)
{
    public ExtraColumns Extras { get; init; } = ExtraColumns.None;
}

/// <summary>
/// A file's header as it was (column order included) and, per physical line, the values of the columns
/// that are not reconcile's. A state file is rewritten with the same header, each row with its own extra
/// values; a row new to the file gets them empty.
/// </summary>
internal sealed record ExtraColumns(string[] Header, string[] Names, IReadOnlyDictionary<int, string[]> ByLine)
{
    public static readonly ExtraColumns None = new([], [], new Dictionary<int, string[]>());
}

/// <summary>
/// Reads and writes the stock CSV formats. Reading is strict where CsvHelper is lenient: the separator is
/// a comma (never guessed), header names match exactly, every record must have as many fields as the
/// header, and malformed quoting is a bad row instead of being repaired. Columns may come in any order and
/// extra ones are ignored. Writing uses LF line endings, no byte-order mark, and the invariant culture.
/// </summary>
internal static class StockCsv
{
    public static readonly string[] BatchColumns = ["ref", "sku", "qty", "eta"];
    public static readonly string[] AllocationColumns = ["orderid", "sku", "qty", "batchref"];
    public static readonly string[] OrderLineColumns = ["orderid", "sku", "qty"];

    public static CsvRead<RawBatch> Batches(InputFile file) =>
        Read(file, BatchColumns, (line, v) => new RawBatch(line, v[0], v[1], v[2], v[3]));

    public static CsvRead<RawAllocation> Allocations(InputFile file) =>
        Read(file, AllocationColumns, (line, v) => new RawAllocation(line, v[0], v[1], v[2], v[3]));

    public static CsvRead<RawOrderLine> OrderLines(InputFile file) =>
        Read(file, OrderLineColumns, (line, v) => new RawOrderLine(line, v[0], v[1], v[2]));

    private static CsvRead<T> Read<T>(InputFile file, string[] columns, Func<int, string[], T> row)
    {
        var rows = new List<T>();
        var extras = ExtraColumns.None;
        var rowErrors = new List<StockError>();
        var fileErrors = new List<StockError>();
        if (file.Bytes is null)
        {
            fileErrors.Add(new StockError(file.Name, 0, "file not found"));
            return new CsvRead<T>(new RawTable<T>(file.Name, []), rowErrors, fileErrors);
        }
        if (NotUtf8(file.Bytes) is { } encodingError)
        {
            fileErrors.Add(new StockError(file.Name, encodingError.Line, encodingError.Message));
            return new CsvRead<T>(new RawTable<T>(file.Name, []), rowErrors, fileErrors);
        }
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
            OnMalformedRecord = bad => rowErrors.Add(new StockError(file.Name, (int)bad.LineNumber, Malformed(bad.Reason))),
        };
        try
        {
            using var reader = CsvReader.Create(file.Bytes, options);
            var headers = reader.Headers.ToArray();
            var index = ColumnIndexes(file.Name, headers, columns, fileErrors);
            if (fileErrors.Count > 0)
            {
                return new CsvRead<T>(new RawTable<T>(file.Name, []), rowErrors, fileErrors);
            }
            var extraIndex = Enumerable.Range(0, headers.Length).Where(h => !columns.Contains(headers[h], StringComparer.Ordinal)).ToArray();
            var extraByLine = new Dictionary<int, string[]>();
            var values = new string[columns.Length];
            // Skus, quantities, etas and batch refs repeat from row to row: one string each, not one a row.
            var pool = new StringPool();
            var shared = columns.Select(c => c is "sku" or "qty" or "eta" or "batchref").ToArray();
            var scratch = new char[MaxFieldLength + 1];
            while (reader.Read())
            {
                var line = (int)reader.LineNumber;
                if (reader.FieldCount != headers.Length)
                {
                    rowErrors.Add(new StockError(file.Name, line, $"{reader.FieldCount} fields, but the header has {headers.Length}"));
                    continue;
                }
                var tooLong = false;
                for (var i = 0; i < columns.Length; i++)
                {
                    values[i] = shared[i] ? pool.Share(reader, index[i], scratch) : reader.GetString(index[i]);
                    if (values[i].Length > MaxFieldLength)
                    {
                        rowErrors.Add(new StockError(file.Name, line, $"{columns[i]} is {values[i].Length} characters long; at most {MaxFieldLength} are allowed"));
                        tooLong = true;
                    }
                }
                if (!tooLong)
                {
                    rows.Add(row(line, values));
                    if (extraIndex.Length > 0)
                    {
                        extraByLine[line] = extraIndex.Select(reader.GetString).ToArray();
                    }
                }
            }
            if (extraIndex.Length > 0)
            {
                extras = new ExtraColumns(headers, extraIndex.Select(h => headers[h]).ToArray(), extraByLine);
            }
        }
        catch (CsvFormatException e)
        {
            rowErrors.Add(new StockError(file.Name, (int)e.LineNumber, e.Message));
        }
        return new CsvRead<T>(new RawTable<T>(file.Name, rows.ToArray().ToSeq()), rowErrors, fileErrors) { Extras = extras };
    }

    /// <summary>No reference, sku or order id is this long; a longer field is a broken or hostile file.</summary>
    public const int MaxFieldLength = 1000;

    /// <summary>
    /// The inputs are UTF-8 (a BOM is allowed). Anything else would be decoded into replacement
    /// characters and silently become a different sku, so a UTF-16 or UTF-32 file, a NUL byte or an
    /// invalid UTF-8 sequence (Latin-1 bytes, binary data) makes the whole file bad, at its first line.
    /// </summary>
    private static (int Line, string Message)? NotUtf8(byte[] bytes)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] or [0, 0, 0xFE, 0xFF, ..])
        {
            return (1, "the file is UTF-16 or UTF-32 text; save it as UTF-8");
        }
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            return (LineAt(bytes, nul), "a NUL byte: this is binary data, not UTF-8 text");
        }
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done
            ? null
            : (LineAt(bytes, read), "not valid UTF-8 (Latin-1 or another encoding?); save the file as UTF-8");
    }

    private static int LineAt(byte[] bytes, int offset) => bytes.AsSpan(0, offset).Count((byte)'\n') + 1;

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
        Write(stream, BatchColumns, batches, b => [b.Ref, b.Sku, Number(b.Qty), Date(b.Eta)], kept, b => b.Ref);

    public static void WriteAllocations(Stream stream, IEnumerable<Allocation> allocations, KeptColumns? kept = null) =>
        Write(stream, AllocationColumns, allocations, a => [a.OrderId, a.Sku, Number(a.Qty), a.BatchRef], kept, a => LineKeyText(a.OrderId, a.Sku));

    public static void WriteOrderLines(Stream stream, IEnumerable<OrderLine> lines, KeptColumns? kept = null) =>
        Write(stream, OrderLineColumns, lines, l => [l.OrderId, l.Sku, Number(l.Qty)], kept, l => LineKeyText(l.OrderId, l.Sku));

    /// <summary>The key under which an order line's extra values are kept: order lines move between files.</summary>
    public static string LineKeyText(string orderId, string sku) => orderId + "\u0000" + sku;

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static void Write<T>(Stream stream, string[] columns, IEnumerable<T> rows, Func<T, string[]> fields, KeptColumns? kept, Func<T, string> key)
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
        };
        using var writer = CsvWriter.Create(stream, options, leaveOpen: true);
        foreach (var name in header)
        {
            writer.WriteField(name);
        }
        writer.EndRecord();
        foreach (var row in rows)
        {
            var known = fields(row);
            for (var i = 0; i < header.Length; i++)
            {
                writer.WriteField(positions[i] >= 0 ? known[positions[i]] : kept!.Value(key(row), header[i]));
            }
            writer.EndRecord();
        }
        writer.Flush();
    }
}

/// <summary>
/// The extra columns of a state file to write back: its header as read, and the extra values of each row
/// by row key (a batch's ref; an order line's order id and sku, looked up in either order-line file so
/// that a line keeps its values when it moves between allocations.csv and unallocated.csv).
/// </summary>
internal sealed record KeptColumns(string[] Header, IReadOnlyList<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ByKey)
{
    public string Value(string key, string column)
    {
        foreach (var table in ByKey)
        {
            if (table.TryGetValue(key, out var values) && values.TryGetValue(column, out var value))
            {
                return value;
            }
        }
        return "";
    }

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Index<T>(CsvRead<T> read, Func<T, int> line, Func<T, string> key)
    {
        var index = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var row in read.Table.Rows)
        {
            if (read.Extras.ByLine.TryGetValue(line(row), out var values))
            {
                var byName = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < read.Extras.Names.Length; i++)
                {
                    byName[read.Extras.Names[i]] = values[i];
                }
                index.TryAdd(key(row), byName);
            }
        }
        return index;
    }
}

/// <summary>Hands out one string per distinct value, looked up without allocating.</summary>
internal sealed class StringPool
{
    private readonly System.Collections.Generic.HashSet<string> strings = new(StringComparer.Ordinal);

    public string Share(CsvReader reader, int index, char[] scratch)
    {
        if (reader.GetSpan(index).Length > scratch.Length)
        {
            return reader.GetString(index);
        }
        var chars = scratch.AsSpan(0, reader.GetChars(index, scratch));
        var lookup = strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var known))
        {
            return known;
        }
        var text = new string(chars);
        strings.Add(text);
        return text;
    }
}
