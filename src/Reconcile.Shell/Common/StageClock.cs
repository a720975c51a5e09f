using System.Diagnostics;
using System.Globalization;

namespace Reconcile.Shell.Common;

/// <summary>
/// Where a run's time goes: with <c>RECONCILE_STAGES=1</c> in the environment, each stage is timed and,
/// at the end, printed on stderr as milliseconds since the process started (so start-up counts too).
/// Marks only take a timestamp; the printing waits for the end so that it does not slow what it measures.
/// For benchmarks; off by default.
/// </summary>
internal static class StageClock
{
    private static readonly bool On = Environment.GetEnvironmentVariable("RECONCILE_STAGES") == "1";
    private static readonly List<(string Stage, long Ticks)> Marks = [];

    public static void Mark(string stage)
    {
        if (On)
        {
            lock (Marks)
            {
                Marks.Add((stage, DateTime.UtcNow.Ticks));
            }
        }
    }

    /// <summary>Prints the marks, once, at the end of a run.</summary>
    public static void Report()
    {
        if (!On)
        {
            return;
        }
        var start = Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks;
        foreach (var (stage, ticks) in Marks)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(ticks - start) / (double)TimeSpan.TicksPerMillisecond,8:0.0} ms  {stage}"));
        }
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"garbage collections: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2, paused {GC.GetTotalPauseDuration().TotalMilliseconds:0.0} ms; {GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MiB allocated"));
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"compiled at run time: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods in {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0} ms, {System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true)} of them in {System.Runtime.JitInfo.GetCompilationTime(currentThread: true).TotalMilliseconds:0.0} ms on the main thread"));
    }
}
