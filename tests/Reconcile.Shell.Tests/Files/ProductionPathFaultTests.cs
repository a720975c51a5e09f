using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>Faults met by the built program itself, on the path it takes in production (the native calls on Linux).</summary>
public sealed class ProductionPathFaultTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// A file size limit (<c>ulimit -f</c>, with SIGXFSZ ignored so that the write fails instead of
    /// killing the process) refuses every byte past it, as a full disk does, without root or a mount.
    /// </summary>
    [Fact]
    public void AWriteLimitFailsTheFilesThatDoNotFitAndNothingIsHalfWritten()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a-small"), "small");
        File.WriteAllBytes(Path.Combine(source, "b-big"), new byte[300_000]);
        File.WriteAllText(Path.Combine(source, "c-small"), "also small");

        var run = UnderShell("trap '' XFSZ; ulimit -f 100", "files", "--no-cache", source, dest);

        Assert.True(run.ExitCode == ExitCodes.SomeActionsFailed, run.ToString());
        Assert.Contains("b-big", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("File too large", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["a-small", "c-small"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The built program run by bash after <paramref name="setup"/>. The runtime's write-xor-execute
    /// mapping of its code needs a file as large as the code, so it is off under a file size limit.
    /// </summary>
    private static CliRun UnderShell(string setup, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", setup + "; exec dotnet \"$0\" \"$@\"", ExeRun.Dll }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout, stderr.Result);
    }
}
