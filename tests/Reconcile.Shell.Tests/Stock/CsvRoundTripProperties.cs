using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Reconcile.Core.Stock;
using Reconcile.Core.Tests;
using Reconcile.Shell.Stock;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>Reading a state file and writing it back unchanged gives its bytes again (LF, no byte-order mark).</summary>
public sealed class CsvRoundTripProperties : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A generated state file: which kind, its header, its rows as fields, and how it is stored.</summary>
    public sealed record CsvFile(int Kind, string[] Header, string[][] Rows, bool Bom, bool Crlf)
    {
        /// <summary>The text as reconcile writes it: LF line endings, no byte-order mark.</summary>
        public string Written => string.Concat(new[] { Header }.Concat(Rows).Select(r => string.Join(",", r.Select(Quoted)) + "\n"));

        public byte[] Stored =>
            [.. Bom ? Encoding.UTF8.GetPreamble() : [], .. Encoding.UTF8.GetBytes(Crlf ? Written.Replace("\n", "\r\n", StringComparison.Ordinal) : Written)];

        public override string ToString() => $"kind {Kind}, bom {Bom}, crlf {Crlf}:\n{Written}";
    }

    private static string Quoted(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static readonly string[][] Columns = [StockCsv.BatchColumns, StockCsv.AllocationColumns, StockCsv.OrderLineColumns];

    private static readonly string[] ExtraNames = ["note", "note", "", "", "warehouse", "where, exactly"];

    private static readonly string[] ExtraValues = ["", "x", "y", "a, b", "say \"hi\"", "é ü", " padded "];

    private static readonly long[] Quantities = [1, 2, 7, 40, 3_000_000_000, long.MaxValue];

    /// <summary>The generated state files, as an arbitrary for the property below.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<CsvFile> CsvFiles() => Files.ToArbitrary();
    }

    private static Gen<CsvFile> Files =>
        from kind in Gen.Choose(0, 2)
        from extras in Gen.SubListOf(ExtraNames)
        from order in Gen.ArrayOf(Gen.Choose(0, 1000), Columns[kind].Length + extras.Count)
        from rows in Gen.ArrayOf(Row(kind, extras.Count))
        from bom in Gen.Elements(false, true)
        from crlf in Gen.Elements(false, true)
        let names = Columns[kind].Concat(extras).ToArray()
        let positions = Enumerable.Range(0, names.Length).OrderBy(i => order[i]).ThenBy(i => i).ToArray()
        select new CsvFile(
            kind,
            positions.Select(i => names[i]).ToArray(),
            rows.Select((row, n) => positions.Select(i => i == 0 ? row[0] + n.ToString(CultureInfo.InvariantCulture) : row[i]).ToArray()).ToArray(),
            bom,
            crlf);

    /// <summary>The fields of a row in the order of the kind's columns, then its extra values; the key
    /// (first field) is made unique by its row number.</summary>
    private static Gen<string[]> Row(int kind, int extras) =>
        from key in Gen.Elements("b", "o", "CHAIR, RED ")
        from sku in Gen.Elements("A", "B", "CHAIR, RED")
        from qty in Gen.Elements(Quantities)
        from eta in Gen.Elements("", "2025-02-01", "2031-12-31")
        from batch in Gen.Elements("b1", "b2")
        from values in Gen.ArrayOf(Gen.Elements(ExtraValues), extras)
        let q = qty.ToString(CultureInfo.InvariantCulture)
        select (string[])[.. (kind switch
        {
            0 => new[] { key, sku, q, eta },
            1 => [key, sku, q, batch],
            _ => [key, sku, q],
        }), .. values];

    [ReconcileProperty(Arbitrary = new[] { typeof(Arbitraries) })]
    public void ReadingAndWritingBackUnchangedGivesTheSameBytes(CsvFile file)
    {
        var path = temp.Combine("state.csv");
        File.WriteAllBytes(path, file.Stored);
        var written = new MemoryStream();
        switch (file.Kind)
        {
            case 0:
                var batches = Read(StockCsv.Batches("state.csv", path, fingerprint: false));
                StockCsv.WriteBatches(written, batches.Rows.Select(r => new Batch(r.Ref, r.Sku, Qty(r.Qty), r.Eta.Length == 0 ? null : DateOnly.ParseExact(r.Eta, "yyyy-MM-dd", CultureInfo.InvariantCulture))), batches.Kept);
                break;
            case 1:
                var allocations = Read(StockCsv.Allocations("state.csv", path, fingerprint: false));
                StockCsv.WriteAllocations(written, allocations.Rows.Select(r => new Allocation(r.OrderId, r.Sku, Qty(r.Qty), r.BatchRef)), allocations.Kept);
                break;
            default:
                var lines = Read(StockCsv.OrderLines("state.csv", path, fingerprint: false));
                StockCsv.WriteOrderLines(written, lines.Rows.Select(r => new OrderLine(r.OrderId, r.Sku, Qty(r.Qty))), lines.Kept);
                break;
        }
        Assert.Equal(file.Written, Encoding.UTF8.GetString(written.ToArray()));
    }

    private static long Qty(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static (IReadOnlyList<T> Rows, KeptColumns Kept) Read<T>(CsvRead<T> read)
    {
        Assert.Empty(read.FileErrors);
        Assert.Empty(read.RowErrors);
        return (read.Table.Rows, new KeptColumns(read.Layout!));
    }
}
