using System.Diagnostics;
using System.Globalization;

namespace Reconcile.Shell.Common;

/// <summary>
/// Where a run's time goes: with <c>RECONCILE_STAGES=1</c> in the environment, each stage prints on stderr
/// the milliseconds since the process started (so start-up is counted too). For benchmarks; off by default.
/// </summary>
internal static class StageClock
{
    private static readonly bool On = Environment.GetEnvironmentVariable("RECONCILE_STAGES") == "1";

    public static void Mark(string stage)
    {
        if (On)
        {
            var since = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{since.TotalMilliseconds,8:0.0} ms  {stage}"));
        }
    }
}
