using System.Globalization;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Safety;

/// <summary>
/// SIGTERM and SIGINT stop a run cleanly: before it writes, at once with nothing changed; while it writes,
/// between two actions, with no temporary file left, a message, exit 143 or 130, and the lock released so
/// that the next run finishes the job. The signal is sent by the kill hook at a given step, a real signal
/// to the real program, so the run stops at the same place every time.
/// </summary>
public sealed class SignalTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest, Dictionary<string, string> Env) Fixture()
    {
        var source = temp.Combine("source");
        Directory.CreateDirectory(Path.Combine(source, "d"));
        for (var i = 0; i < 12; i++)
        {
            File.WriteAllText(Path.Combine(source, "d", $"f{i:00}"), new string((char)('a' + i), 1000 + i));
        }
        var env = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = temp.Combine("cache") };
        return (source, temp.Combine("dest"), env);
    }

    private static Dictionary<string, string> SignalAt(Dictionary<string, string> env, int step, string signal) =>
        new(env) { [KillPoint.Variable] = step.ToString(CultureInfo.InvariantCulture), [KillPoint.SignalVariable] = signal };

    [SkippableTheory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public void ASignalWhileWritingStopsBetweenActionsAndTheNextRunFinishes(string signal, int exitCode)
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        var (source, dest, env) = Fixture();
        var stopped = ExeRun.WithDefaultSignals(SignalAt(env, 6, signal), "files", source, dest);
        Assert.True(stopped.ExitCode == exitCode, stopped.ToString());
        Assert.Contains($"reconcile: stopped by SIG{signal}: ", stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains("not started", stopped.Stdout, StringComparison.Ordinal);
        var copied = Directory.GetFiles(dest, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(copied);
        Assert.True(copied.Length < 12, "the run stopped before the end");
        foreach (var file in copied)
        {
            // Whatever is in DEST is a whole copy under its final name: no temporary or partial file.
            var relative = Path.GetRelativePath(dest, file);
            Assert.True(File.Exists(Path.Combine(source, relative)), $"{relative} is not a SOURCE file");
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, relative)), File.ReadAllBytes(file));
        }
        var again = ExeRun.Of(env, "files", source, dest);
        Assert.True(again.ExitCode == ExitCodes.Done, again.ToString());
        Assert.Equal(
            Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal),
            Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dest, f)).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void ASignalBeforeWritingStopsAtOnceWithNothingChanged()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals");
        var (source, dest, env) = Fixture();
        var stopped = ExeRun.WithDefaultSignals(SignalAt(env, 1, "TERM"), "files", source, dest);
        Assert.True(stopped.ExitCode == 143, stopped.ToString());
        Assert.Equal("reconcile: stopped by SIGTERM before anything was changed\n", stopped.Stderr);
        Assert.False(Directory.Exists(dest));
        Assert.Equal(ExitCodes.Done, ExeRun.Of(env, "files", source, dest).ExitCode);
    }
}
