using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// A name may hold a newline or an escape sequence: text output writes each control character as rsync
/// does (<c>\#</c> and three octal digits), so one action stays one line and nothing drives the terminal;
/// JSON carries the names unchanged.
/// </summary>
public sealed class ControlCharacterNameTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void ControlCharactersInNamesAreEscapedInTextAndKeptInJson()
    {
        Skip.If(OperatingSystem.IsWindows(), "such names are Unix's");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "two\nlines"), "1");
        File.WriteAllText(Path.Combine(source, "\u001b[31mred"), "2");

        var text = CliRun.Of("files", "-n", source, dest);
        Assert.True(text.ExitCode == ExitCodes.Done, text.ToString());
        var lines = text.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.EndsWith("  \\#033[31mred", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("  two\\#012lines", lines[1], StringComparison.Ordinal);
        Assert.Equal("touch_dir .", PlanText.Squeeze(lines[2]));
        Assert.DoesNotContain('\u001b', text.Stdout);

        var json = CliRun.Of("files", "-n", "--format", "json", source, dest);
        using var document = JsonDocument.Parse(json.Stdout);
        var paths = document.RootElement.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("path").GetString()).ToList();
        Assert.Equal(["\u001b[31mred", "two\nlines", "."], paths);

        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "-q", source, dest).ExitCode);
        Assert.Equal("1", File.ReadAllText(Path.Combine(dest, "two\nlines")));
    }

    [Theory]
    [InlineData("plain name", "plain name")]
    [InlineData("tab\there", "tab\\#011here")]
    [InlineData("del\u007f", "del\\#177")]
    [InlineData("é ü ✓", "é ü ✓")]
    public void EachControlCharacterBecomesBackslashHashAndThreeOctalDigits(string name, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(name));
}
