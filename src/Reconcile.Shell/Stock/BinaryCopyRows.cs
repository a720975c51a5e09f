using System.Buffers.Binary;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The rows of a PostgreSQL <c>COPY … TO STDOUT (FORMAT BINARY)</c>, parsed straight from its byte
/// stream: a field is handed out as the bytes it holds, so a value that repeats (a sku, a quantity) is
/// looked up before any string is made, and a row costs no allocation of its own. The format is the
/// server's documented one: a signature, flags and a header extension; then per row a 16-bit field count
/// (-1 ends the data) and per field a 32-bit length (-1 for NULL) and that many bytes, all big-endian.
/// </summary>
internal sealed class BinaryCopyRows
{
    private static readonly byte[] Signature = [.. "PGCOPY\n"u8, 0xFF, (byte)'\r', (byte)'\n', 0];

    private readonly Stream stream;
    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;

    public BinaryCopyRows(Stream stream)
    {
        this.stream = stream;
        Fill(Signature.Length + 8);
        if (!buffer.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new IOException("the server's COPY data does not start with the binary format's signature");
        }
        start = Signature.Length + 4;
        var extension = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        Fill(extension);
        start += extension;
    }

    /// <summary>Moves to the next row; false after the last.</summary>
    public bool NextRow() => BinaryPrimitives.ReadInt16BigEndian(Take(2)) >= 0;

    /// <summary>The next field's bytes (none for NULL), valid until the next call.</summary>
    public ReadOnlySpan<byte> Field()
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return length < 0 ? [] : Take(length);
    }

    /// <summary>The next field, a <c>bigint</c>.</summary>
    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Field());

    private ReadOnlySpan<byte> Take(int count)
    {
        Fill(count);
        var taken = buffer.AsSpan(start, count);
        start += count;
        return taken;
    }

    /// <summary>Makes sure <paramref name="count"/> bytes are buffered from <c>start</c>.</summary>
    private void Fill(int count)
    {
        if (end - start >= count)
        {
            return;
        }
        if (count > buffer.Length)
        {
            var larger = new byte[Math.Max(count, buffer.Length * 2)];
            buffer.AsSpan(start, end - start).CopyTo(larger);
            buffer = larger;
        }
        else
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
        }
        end -= start;
        start = 0;
        while (end < count)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                throw new IOException("the server's COPY data ended in the middle of a row");
            }
            end += read;
        }
    }
}
