using System.Runtime.ExceptionServices;

namespace Reconcile.Shell.Common;

/// <summary>
/// Runs a body for every index of a range on a few threads of their own (the calling one included),
/// each taking the next index as it finishes one. For work that mostly waits on the file system, where
/// more threads than cores keep the disk busy and the thread pool would add threads only slowly. An
/// exception a body throws stops nothing else and is rethrown once all threads are done.
/// </summary>
internal static class Workers
{
    /// <summary>How many threads work that mostly waits on the disk uses: twice the cores, and at least four.</summary>
    public static readonly int ForWaits = Math.Max(4, 2 * Environment.ProcessorCount);

    public static void For(int start, int end, int threads, Action<int> body)
    {
        var next = start - 1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < end)
                {
                    body(i);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }
        var helpers = new List<Thread>();
        for (var t = 1; t < Math.Min(KillPoint.Armed ? 1 : threads, end - start); t++)
        {
            var thread = new Thread(Work) { IsBackground = true };
            thread.Start();
            helpers.Add(thread);
        }
        Work();
        foreach (var thread in helpers)
        {
            thread.Join();
        }
        failure?.Throw();
    }
}
