using System.Text;

namespace Reconcile.Shell.Stock;

/// <summary>
/// One string for each value that repeats from row to row of a store's tables (a sku, a quantity, an
/// eta): a million batches hold a few hundred thousand skus and a few hundred etas, not a million of each.
/// A value is looked up by its text before a string is made for it, so one seen before costs no new
/// string.
/// </summary>
internal sealed class RepeatedText
{
    /// <summary>Longer values are rarely repeated; they are made into strings without a look-up.</summary>
    private const int Longest = 128;

    private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> byText;

    public RepeatedText() => byText = strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The string of these UTF-8 bytes (invalid sequences read as U+FFFD, as everywhere else).</summary>
    public string Of(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return "";
        }
        if (utf8.Length > Longest)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        // UTF-8 never takes fewer bytes than UTF-16 takes chars.
        Span<char> chars = stackalloc char[Longest];
        return Of(chars[..Encoding.UTF8.GetChars(utf8, chars)]);
    }

    /// <summary>The one string of this text.</summary>
    public string Of(ReadOnlySpan<char> text)
    {
        if (text.Length == 0)
        {
            return "";
        }
        if (byText.TryGetValue(text, out var known))
        {
            return known;
        }
        var made = text.ToString();
        strings.Add(made, made);
        return made;
    }
}
