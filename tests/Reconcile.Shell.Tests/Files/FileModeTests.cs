using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>Every permission bit pattern is copied as it is, 0000 included, and the mirror converges.</summary>
public sealed class FileModeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableTheory]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    [InlineData(0b000_000_000)]
    [InlineData(0b100_000_000)]
    [InlineData(0b111_000_000)]
    [InlineData(0b001_111_111_111)]
    public void AFileOfAnyModeIsCopiedWithItAndTheNextRunHasNothingToDo(int mode)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && ExeRun.IsRoot, "a file nobody may read can be copied by root only");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        var file = Path.Combine(source, "f");
        File.WriteAllText(file, "bytes");
        File.SetUnixFileMode(file, (UnixFileMode)mode);

        var run = CliRun.Of("files", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal((UnixFileMode)mode, File.GetUnixFileMode(Path.Combine(dest, "f")));
        var again = CliRun.Of("files", "-n", source, dest);
        Assert.Equal("summary: nothing to do; DEST mirrors SOURCE (0 B to copy)\n", again.Stdout);
    }
}
