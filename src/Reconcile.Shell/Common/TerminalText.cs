using System.Text;

namespace Reconcile.Shell.Common;

/// <summary>
/// Names as text output shows them. A file name may hold any byte but '/' and NUL: an escape sequence
/// would drive the terminal, a newline would split an action line in two. As rsync does, each control
/// character is written as <c>\#</c> and its three octal digits (a newline is <c>\#012</c>); everything
/// else is written as it is. JSON output carries names unchanged, escaped by JSON's own rules.
/// </summary>
public static class TerminalText
{
    public static string Escape(string name)
    {
        var at = 0;
        while (at < name.Length && !IsControl(name[at]))
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
            var c = name[at];
            if (IsControl(c))
            {
                text.Append("\\#").Append(Convert.ToString(c, 8).PadLeft(3, '0'));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    private static bool IsControl(char c) => c < ' ' || c == '\u007f' || (c >= '\u0080' && c < '\u00a0');
}
