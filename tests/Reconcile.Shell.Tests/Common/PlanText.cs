using System.Text.RegularExpressions;

namespace Reconcile.Shell.Tests.Common;

/// <summary>Printed plans with their column padding squeezed to one space, for comparing words, not layout.</summary>
public static partial class PlanText
{
    public static string Squeeze(string text) => Padding().Replace(text, " ");

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Squeeze(l.TrimEnd('\r'))).ToArray();

    [GeneratedRegex("[ ]{2,}")]
    private static partial Regex Padding();
}
