using System.Buffers.Binary;
using System.Text;
using Reconcile.Shell.Stock;
using Xunit;

namespace Reconcile.Shell.Tests.Stock;

/// <summary>How the PostgreSQL store parses a binary COPY stream: written here byte by byte as the
/// server's documentation gives the format.</summary>
public sealed class BinaryCopyRowsTests
{
    private static readonly byte[] Signature = [.. "PGCOPY\n"u8, 0xFF, (byte)'\r', (byte)'\n', 0];

    /// <summary>A COPY stream of rows of a bigint and text fields (null for NULL), with a header extension.</summary>
    private static MemoryStream Copy(params (long Seq, string?[] Texts)[] rows)
    {
        var bytes = new List<byte>(Signature);
        void Int(int value, int size)
        {
            var buffer = new byte[size];
            if (size == 2)
            {
                BinaryPrimitives.WriteInt16BigEndian(buffer, (short)value);
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(buffer, value);
            }
            bytes.AddRange(buffer);
        }
        Int(0, 4);
        Int(3, 4);
        bytes.AddRange("ext"u8.ToArray());
        foreach (var (seq, texts) in rows)
        {
            Int(1 + texts.Length, 2);
            Int(8, 4);
            var number = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(number, seq);
            bytes.AddRange(number);
            foreach (var text in texts)
            {
                if (text is null)
                {
                    Int(-1, 4);
                    continue;
                }
                var utf8 = Encoding.UTF8.GetBytes(text);
                Int(utf8.Length, 4);
                bytes.AddRange(utf8);
            }
        }
        Int(-1, 2);
        return new MemoryStream([.. bytes]);
    }

    private static List<(long, string[])> Read(Stream stream, int fields)
    {
        var rows = new BinaryCopyRows(stream);
        var read = new List<(long, string[])>();
        while (rows.NextRow())
        {
            var seq = rows.Int64();
            read.Add((seq, [.. Enumerable.Range(0, fields).Select(_ => Encoding.UTF8.GetString(rows.Field()))]));
        }
        return read;
    }

    [Fact]
    public void RowsComeOutAsWrittenANullAsEmpty()
    {
        var read = Read(Copy((65536, ["b1", "CHAIR", "10", null]), (131072, ["b2", "LAMPE À PIED", "0", "2031-01-02"])), 4);
        Assert.Equal([65536L, 131072L], read.Select(r => r.Item1));
        Assert.Equal(["b1", "CHAIR", "10", ""], read[0].Item2);
        Assert.Equal(["b2", "LAMPE À PIED", "0", "2031-01-02"], read[1].Item2);
    }

    [Fact]
    public void AValueLargerThanTheBufferIsReadWhole()
    {
        var large = new string('x', 200_000);
        var read = Read(Copy((1, ["a", large]), (2, ["b", "c"])), 2);
        Assert.Equal(large, read[0].Item2[1]);
        Assert.Equal(["b", "c"], read[1].Item2);
    }

    [Fact]
    public void AStreamCutInTheMiddleOfARowIsAnError()
    {
        var whole = Copy((1, ["b1", "CHAIR"])).ToArray();
        using var cut = new MemoryStream(whole[..^8]);
        Assert.Throws<IOException>(() => Read(cut, 2));
    }

    [Fact]
    public void DataWithoutTheSignatureIsAnError()
    {
        using var text = new MemoryStream(Encoding.UTF8.GetBytes("1\tb1\tCHAIR\t10\t\\N\n\\.\n"));
        Assert.Throws<IOException>(() => new BinaryCopyRows(text));
    }
}
