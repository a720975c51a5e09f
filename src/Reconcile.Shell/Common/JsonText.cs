using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Common;

/// <summary>
/// How every JSON document of reconcile is written: indented, UTF-8, and with non-ASCII text left
/// readable (output for terminals, files and tools, never embedded in HTML). One-line documents are
/// for the journal, one per line.
/// </summary>
public static class JsonText
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions OneLine = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Document(Action<Utf8JsonWriter> body, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, indented ? Indented : OneLine))
        {
            body(json);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A number, or null when there is none.</summary>
    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } n)
        {
            json.WriteNumber(name, n);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A string, or null when there is none.</summary>
    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>
    /// A file name, losslessly: a byte that is not part of valid UTF-8 (held as U+DC80..U+DCFF, see
    /// <see cref="NameBytes"/>) is written as the JSON escape of that lone surrogate, <c>\udc80</c> to
    /// <c>\udcff</c>, which Python reads back with <c>errors="surrogateescape"</c> and <see cref="ReadName"/>
    /// reads back here. (<see cref="Utf8JsonWriter"/> refuses lone surrogates, so such a string is
    /// written here, escape by escape.)
    /// </summary>
    public static void WriteName(this Utf8JsonWriter json, string property, string value)
    {
        if (!NameBytes.HasEscapes(value))
        {
            json.WriteString(property, value);
            return;
        }
        json.WritePropertyName(property);
        var literal = new StringBuilder(value.Length + 16).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var paired = char.IsHighSurrogate(c) ? i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                : char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]);
            if (c is '"' or '\\')
            {
                literal.Append('\\').Append(c);
            }
            else if (c < ' ' || c == '\u007f' || (char.IsSurrogate(c) && !paired))
            {
                literal.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                literal.Append(c);
            }
        }
        json.WriteRawValue(literal.Append('"').ToString(), skipInputValidation: true);
    }

    /// <summary>
    /// A string written by <see cref="WriteName"/>: lone surrogates included, which
    /// <see cref="JsonElement.GetString"/> cannot return; null when <paramref name="value"/> is no string.
    /// </summary>
    public static string? ReadName(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var raw = value.GetRawText();
        if (!raw.Contains("\\u", StringComparison.OrdinalIgnoreCase))
        {
            return value.GetString();
        }
        // The document has been parsed, so the literal is well formed: only its escapes need reading.
        var text = new StringBuilder(raw.Length);
        for (var i = 1; i < raw.Length - 1; i++)
        {
            if (raw[i] != '\\')
            {
                text.Append(raw[i]);
                continue;
            }
            var e = raw[++i];
            if (e == 'u')
            {
                text.Append((char)int.Parse(raw.AsSpan(i + 1, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }
            text.Append(e switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => e,
            });
        }
        return text.ToString();
    }
}
