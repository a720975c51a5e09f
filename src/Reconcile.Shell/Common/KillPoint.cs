using System.Diagnostics;
using System.Globalization;

namespace Reconcile.Shell.Common;

/// <summary>
/// A test hook, not a feature: with <c>RECONCILE_TEST_KILL_AFTER=N</c> in the environment the process
/// kills itself with SIGKILL (no cleanup, no finally blocks) when it reaches its Nth step. Steps are
/// placed between the low-level writes of a run, so a fault-injection test can stop a run at every one
/// of them in turn and check that the next run repairs the target. Without the variable a step costs
/// one comparison.
/// </summary>
public static class KillPoint
{
    public const string Variable = "RECONCILE_TEST_KILL_AFTER";

    private static readonly long Limit = ReadLimit();
    private static long count;

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
