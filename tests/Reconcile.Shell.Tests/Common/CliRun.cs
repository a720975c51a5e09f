using Reconcile.Shell.Common;

namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// The outcome of one run of the command line: in process, or, when <c>RECONCILE_EXE</c> names a
/// published executable, in a process of that program, so that every command-line test checks it.
/// </summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    static CliRun()
    {
        // Runs without --cache-dir keep their hash caches here, not in the real user's cache directory.
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(Path.GetTempPath(), "reconcile-test-cache"));
    }

    public static CliRun Of(params string[] args)
    {
        if (ExeRun.Published is not null)
        {
            return ExeRun.Of(null, args);
        }
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Cli.Run(args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A run whose clock reads <paramref name="clock"/>'s time (what a journal records).</summary>
    public static CliRun At(TimeProvider clock, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Cli.Run(args, stdout, stderr, Terminal.None, clock);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>A clock that always reads the same time.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
