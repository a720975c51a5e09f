using System.Text;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Common;

/// <summary>
/// Names as text output shows them. A file name may hold any byte but '/' and NUL: an escape sequence
/// would drive the terminal, a newline would split an action line in two, a byte that is not UTF-8 would
/// come out as U+FFFD and name no file. As rsync does, each such byte is written as <c>\#</c> and its
/// three octal digits: every control character (a newline is <c>\#012</c>; a tab, DEL and the C1 controls
/// too, which rsync leaves alone: a C1 control by its two UTF-8 bytes, <c>\#302\#233</c>) and every byte
/// that is not part of valid UTF-8 (held as U+DC80..U+DCFF, see <see cref="NameBytes"/>). A backslash
/// that is followed by <c>#</c> and three digits is written <c>\#134</c>, as rsync writes it, so that
/// what is shown reads back to one name only. Everything else is written as it is. JSON output carries
/// names by JSON's escapes instead (see <see cref="JsonText"/>).
/// </summary>
public static class TerminalText
{
    public static string Escape(string name) => Escaped(name, backslashes: true);

    /// <summary>
    /// A message as one line of text output: what <see cref="Escape"/> escapes but the backslash rule, so
    /// that a message whose names were escaped already is written as it is, while a name a message holds
    /// unescaped still shows its bytes, and no control character reaches the terminal.
    /// </summary>
    public static string Line(string message) => Escaped(message, backslashes: false);

    private static string Escaped(string name, bool backslashes)
    {
        var at = 0;
        while (at < name.Length && !NeedsEscape(name, at, backslashes))
        {
            at++;
        }
        if (at == name.Length)
        {
            return name;
        }
        var text = new StringBuilder(name.Length + 8).Append(name, 0, at);
        for (; at < name.Length; at++)
        {
            if (!NeedsEscape(name, at, backslashes))
            {
                text.Append(name[at]);
                continue;
            }
            foreach (var b in NameBytes.Encode(name[at].ToString()))
            {
                text.Append("\\#").Append(Convert.ToString(b, 8).PadLeft(3, '0'));
            }
        }
        return text.ToString();
    }

    private static bool NeedsEscape(string name, int at, bool backslashes)
    {
        var c = name[at];
        return c < ' ' || c == '\u007f' || (c >= '\u0080' && c < '\u00a0')
            || (char.IsSurrogate(c) && !IsPaired(name, at))
            || (backslashes && c == '\\' && at + 4 < name.Length && name[at + 1] == '#' && char.IsAsciiDigit(name[at + 2]) && char.IsAsciiDigit(name[at + 3]) && char.IsAsciiDigit(name[at + 4]));
    }

    private static bool IsPaired(string name, int at) =>
        char.IsHighSurrogate(name[at])
            ? at + 1 < name.Length && char.IsLowSurrogate(name[at + 1])
            : at > 0 && char.IsHighSurrogate(name[at - 1]);
}
