using Reconcile.Shell.Common;

namespace Reconcile.Shell.Tests;

public class TerminalTests
{
    private static readonly Terminal Colour = new(ColorOut: true, ProgressErr: false);

    [Fact]
    public void ActionWordsAreColouredOnlyWhenColourIsOn()
    {
        Assert.Equal("\u001b[31mdelete\u001b[0m  old.txt", Colour.Paint("delete  old.txt"));
        Assert.Equal("\u001b[32mallocate\u001b[0m  o1", Colour.Paint("allocate  o1"));
        Assert.Equal("delete  old.txt", Terminal.None.Paint("delete  old.txt"));
    }

    [Fact]
    public void JsonPassesThroughThePaintingWriterUnchanged()
    {
        var json = "{\n  \"actions\": [\n    {\n      \"op\": \"delete\",\n      \"path\": \"copy\"\n    }\n  ]\n}\n";
        using var inner = new StringWriter();
        using (var painter = new PaintingWriter(inner, Colour))
        {
            painter.Write(json);
        }
        Assert.Equal(json, inner.ToString());
    }

    [Fact]
    public void PaintingWriterColoursEachPlanLine()
    {
        using var inner = new StringWriter();
        using (var painter = new PaintingWriter(inner, Colour))
        {
            painter.WriteLine("copy  12 B  a");
            painter.Write("move  a → b\nsummary: 2");
        }
        Assert.Equal("\u001b[32mcopy\u001b[0m  12 B  a" + Environment.NewLine.TrimEnd('\n') + "\n\u001b[36mmove\u001b[0m  a → b\nsummary: 2", inner.ToString());
    }

    [Fact]
    public void RedirectedOutputGetsNoColourAndNoProgress()
    {
        // The test runner redirects both streams, as cron does.
        var terminal = Terminal.OfThisProcess();
        Assert.False(terminal.ColorOut);
        Assert.False(terminal.ProgressErr);
    }
}

/// <summary>The progress display, seen through a real pseudo-terminal (util-linux <c>script</c>).</summary>
public sealed class ProgressOnATerminalTests : IDisposable
{
    private readonly Common.TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void ATerminalShowsHashingProgressAndARedirectedRunDoesNot()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/script"), "needs a pseudo-terminal: util-linux script (/usr/bin/script) on Linux");
        var source = temp.Combine("s");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 8; i++)
        {
            File.WriteAllBytes(Path.Combine(source, $"f{i}"), new byte[4_000_000]);
        }
        var program = string.Join(' ', Common.ExeRun.Program.Select(p => $"'{p}'"));
        var command = $"{program} files --checksum --no-cache -n '{source}' '{temp.Combine("d")}'";
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/script", ["-qec", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var seen = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("hashing", seen, StringComparison.Ordinal);
        Assert.Contains("copy", seen, StringComparison.Ordinal);

        var redirected = Common.ExeRun.Of(null, "files", "--checksum", "--no-cache", "-n", source, temp.Combine("d"));
        Assert.DoesNotContain("hashing", redirected.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", redirected.Stdout, StringComparison.Ordinal);
    }
}
