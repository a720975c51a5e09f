using System.Diagnostics;
using System.Globalization;

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
/// </summary>
public static class KillPoint
{
    public const string Variable = "RECONCILE_TEST_KILL_AFTER";

    private static readonly long Limit = ReadLimit();
    private static long count;

    /// <summary>Whether this run may be killed at a step: then it runs on one thread.</summary>
    public static bool Armed => Limit > 0;

    public static void Step()
    {
        if (Limit > 0 && Interlocked.Increment(ref count) >= Limit)
        {
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static long ReadLimit() =>
        long.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
