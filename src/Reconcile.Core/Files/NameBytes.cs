using System.Text;

namespace Reconcile.Core.Files;

/// <summary>
/// File names as the bytes they are. A Linux name is any bytes but '/' and NUL, not necessarily UTF-8;
/// names are kept as strings decoded by the "surrogate escape" rule (Python's <c>os.fsdecode</c>): valid
/// UTF-8 decodes as usual, and each byte that is not part of a valid sequence becomes the lone surrogate
/// U+DC00 + byte (U+DC80..U+DCFF). Valid UTF-8 never decodes to a lone surrogate, so decoding is one to
/// one and <see cref="Encode"/> gives back the very bytes.
/// </summary>
public static class NameBytes
{
    private const char FirstEscape = '\uDC80';
    private const char LastEscape = '\uDCFF';

    /// <summary>The name these bytes spell.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }
        var text = new StringBuilder(bytes.Length);
        Span<char> chars = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(chars[..rune.EncodeToUtf16(chars)]);
                bytes = bytes[consumed..];
            }
            else
            {
                // One byte at a time: the rest of an invalid sequence is continuation bytes, each invalid on its own.
                text.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// The bytes of a name: UTF-8, with each escaped byte (U+DC80..U+DCFF) as the byte it stands for. A
    /// lone surrogate outside that range (which no decoded name holds; see <see cref="IsName"/>) becomes
    /// U+FFFD's bytes.
    /// </summary>
    public static byte[] Encode(string name)
    {
        if (!HasEscapes(name))
        {
            return Encoding.UTF8.GetBytes(name);
        }
        var bytes = new List<byte>(name.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                var n = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < n; i++)
                {
                    bytes.Add(utf8[i]);
                }
            }
            else if (rest[0] is >= FirstEscape and <= LastEscape)
            {
                bytes.Add((byte)(rest[0] - 0xDC00));
                consumed = 1;
            }
            else
            {
                bytes.AddRange("\uFFFD"u8.ToArray());
                consumed = 1;
            }
            rest = rest[consumed..];
        }
        return [.. bytes];
    }

    /// <summary>How many bytes the name is (what <c>stat</c> tells as the size of a link holding it).</summary>
    public static int ByteCount(string name) =>
        HasEscapes(name) ? Encode(name).Length : Encoding.UTF8.GetByteCount(name);

    /// <summary>Whether the name holds a lone surrogate, as an escaped byte does (its bytes are not valid UTF-8).</summary>
    public static bool HasEscapes(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The byte an escape stands for, or null when <paramref name="c"/> is no escape.</summary>
    public static byte? EscapedByte(char c) => c is >= FirstEscape and <= LastEscape ? (byte)(c - 0xDC00) : null;

    /// <summary>Whether <paramref name="name"/> is what <see cref="Decode"/> can give: its only lone surrogates are escaped bytes.</summary>
    public static bool IsName(string name) => Decode(Encode(name)) == name;
}
