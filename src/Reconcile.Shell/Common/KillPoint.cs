using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Reconcile.Shell.Common;

/// <summary>
/// A test hook, not a feature: with <c>RECONCILE_TEST_KILL_AFTER=N</c> in the environment the process
/// kills itself with SIGKILL (no cleanup, no finally blocks) when it reaches its Nth step. Steps are
/// placed between the low-level writes of a run, so a fault-injection test can stop a run at every one
/// of them in turn and check that the next run repairs the target. Without the variable a step costs
/// one comparison.
///
/// Step N must be the same step in every run, so that a failing kill point replays from its number.
/// Steps taken on several threads would be counted in whatever order the threads reach them, so while
/// the hook is armed, work that would run side by side (<see cref="Workers"/>, <see cref="OwnThread{T}"/>)
/// runs on the calling thread, in order.
///
/// With <c>RECONCILE_TEST_KILL_SIGNAL=TERM</c> (or <c>INT</c>) the step sends that signal to the process
/// instead, and waits until the handler has seen it, so that the run stops at the same step every time.
/// </summary>
public static partial class KillPoint
{
    public const string Variable = "RECONCILE_TEST_KILL_AFTER";
    public const string SignalVariable = "RECONCILE_TEST_KILL_SIGNAL";

    private static readonly long Limit = ReadLimit();
    private static readonly int? SignalToSend = Interruption.NumberOf(Environment.GetEnvironmentVariable(SignalVariable));
    private static long count;

    /// <summary>Whether this run may be killed at a step: then it runs on one thread.</summary>
    public static bool Armed => Limit > 0;

    public static void Step()
    {
        if (Limit > 0 && Interlocked.Increment(ref count) is var step && step >= Limit)
        {
            if (SignalToSend is { } signal)
            {
                if (step == Limit)
                {
                    Signal(signal);
                }
                return;
            }
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static void Signal(int signal)
    {
        _ = Kill(Environment.ProcessId, signal);
        // The handler runs on a thread of its own: wait for it, so the run stops at this step.
        var waited = Stopwatch.StartNew();
        while (!Interruption.Requested && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    private static long ReadLimit() =>
        long.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
