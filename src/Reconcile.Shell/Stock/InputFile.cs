using System.Security.Cryptography;
using System.Text;

namespace Reconcile.Shell.Stock;

/// <summary>
/// One input file as it was read: its name, whether it exists, and the SHA-256 of exactly the bytes that
/// were parsed (computed while they streamed past, so the journal's fingerprint is what the plan was made
/// from). A run that records no fingerprint (a dry run without <c>--plan-out</c>) does not compute it.
/// </summary>
internal sealed record InputFile(string Name, bool Exists, string? Fingerprint)
{
    /// <summary>The SHA-256 of the bytes read, or null for an absent file.</summary>
    public string? Sha256 => !Exists ? null
        : Fingerprint ?? throw new InvalidOperationException($"{Name} was read without computing its fingerprint");

    public static InputFile Missing(string name) => new(name, false, null);

    /// <summary>The SHA-256 of the file at <paramref name="path"/> as it is now, or null when there is none.</summary>
    public static string? Sha256Of(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>
/// Reads a file for the CSV parser and checks every byte on the way: the SHA-256 (when asked), and that
/// the text is UTF-8. Anything else would be decoded into replacement characters and silently become a
/// different sku, so a UTF-16 or UTF-32 file, a NUL byte or an invalid UTF-8 sequence (Latin-1 bytes,
/// binary data) makes the whole file bad, at its first line. From the first bad byte on, the parser sees
/// the end of the input, so it never parses anything but UTF-8 text; <see cref="Finish"/> reads the rest,
/// so that the fingerprint covers the whole file and a NUL byte anywhere is reported before an invalid
/// sequence, as the whole file decides.
/// </summary>
internal sealed class CheckedInput(Stream inner, bool fingerprint) : Stream
{
    private readonly IncrementalHash? sha = fingerprint ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    private readonly Decoder utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
    private readonly char[] chars = new char[ChunkSize];
    private readonly byte[] head = new byte[4];
    private int headLength;
    private long newlines;
    private int nulLine;
    private int invalidLine;

    private readonly MemoryStream header = new();
    private bool headerDone;

    private const int ChunkSize = 1 << 16;

    /// <summary>No header is this long; a longer first line is not kept as the header's bytes.</summary>
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>
    /// The file's first physical line as read, without a UTF-8 byte-order mark and line ending, once the
    /// whole file has been read (<see cref="Finish"/>); null when it was too long to keep.
    /// </summary>
    public byte[]? HeaderLine
    {
        get
        {
            if (header.Length > MaxHeaderBytes)
            {
                return null;
            }
            var line = header.ToArray().AsSpan();
            if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                line = line[3..];
            }
            if (line.EndsWith((ReadOnlySpan<byte>)[(byte)'\r']))
            {
                line = line[..^1];
            }
            return line.ToArray();
        }
    }

    /// <summary>Whether a bad byte has been seen: the parser is shown the end of the input from then on.</summary>
    public bool Bad => nulLine > 0 || invalidLine > 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (Bad)
        {
            return 0;
        }
        var read = inner.Read(buffer);
        Check(buffer[..read], final: read == 0);
        return Bad ? 0 : read;
    }

    /// <summary>
    /// Reads what the parser left, then gives the file's SHA-256 (when asked) and what is wrong with its
    /// encoding, if anything: the line and the message.
    /// </summary>
    public (string? Sha256, (int Line, string Message)? Error) Finish()
    {
        var buffer = new byte[ChunkSize];
        int read;
        do
        {
            read = inner.Read(buffer);
            Check(buffer.AsSpan(0, read), final: read == 0);
        }
        while (read > 0);
        var sha256 = sha is null ? null : Convert.ToHexStringLower(sha.GetHashAndReset());
        (int, string)? error =
            head.AsSpan(0, headLength) is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] or [0, 0, 0xFE, 0xFF] ? (1, "the file is UTF-16 or UTF-32 text; save it as UTF-8")
            : nulLine > 0 ? (nulLine, "a NUL byte: this is binary data, not UTF-8 text")
            : invalidLine > 0 ? (invalidLine, "not valid UTF-8 (Latin-1 or another encoding?); save the file as UTF-8")
            : null;
        return (sha256, error);
    }

    private void Check(ReadOnlySpan<byte> bytes, bool final)
    {
        sha?.AppendData(bytes);
        if (!headerDone)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end >= 0 ? bytes[..end] : bytes;
            if (header.Length <= MaxHeaderBytes)
            {
                header.Write(part[..(int)Math.Min(part.Length, MaxHeaderBytes + 1 - header.Length)]);
            }
            headerDone = end >= 0;
        }
        if (headLength < head.Length)
        {
            var take = Math.Min(bytes.Length, head.Length - headLength);
            bytes[..take].CopyTo(head.AsSpan(headLength));
            headLength += take;
        }
        if (nulLine == 0 && bytes.IndexOf((byte)0) is var nul and >= 0)
        {
            nulLine = LineAt(bytes, nul);
        }
        if (invalidLine == 0)
        {
            CheckUtf8(bytes, final);
        }
        if (nulLine == 0)
        {
            newlines += bytes.Count((byte)'\n');
        }
    }

    private void CheckUtf8(ReadOnlySpan<byte> bytes, bool final)
    {
        var done = 0;
        try
        {
            do
            {
                var slice = bytes.Slice(done, Math.Min(bytes.Length - done, chars.Length));
                utf8.Convert(slice, chars, flush: final && done + slice.Length == bytes.Length, out var used, out _, out _);
                done += used;
            }
            while (done < bytes.Length);
        }
        catch (DecoderFallbackException e)
        {
            // The index is within the slice, or before it when the sequence began in an earlier read
            // (then it began on the line where this read starts: a line break is never part of one).
            invalidLine = LineAt(bytes, Math.Max(0, done + e.Index));
        }
    }

    /// <summary>The line of the byte at <paramref name="offset"/> of this read.</summary>
    private int LineAt(ReadOnlySpan<byte> bytes, int offset) => (int)(newlines + bytes[..offset].Count((byte)'\n') + 1);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sha?.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
