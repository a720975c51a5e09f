using System.Runtime.ExceptionServices;

namespace Reconcile.Shell.Common;

/// <summary>
/// Work on a thread of its own, joined for its result; an exception it throws is rethrown by
/// <see cref="Join"/>. For one long piece of work at start-up, where starting the thread pool would cost
/// more than the thread.
/// </summary>
internal sealed class OwnThread<T>
    where T : class
{
    private readonly Thread? thread;
    private T? result;
    private ExceptionDispatchInfo? failure;

    private OwnThread(Func<T> work)
    {
        void Run()
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }
        if (KillPoint.Armed)
        {
            // Done at once on the calling thread, so that the kill hook counts its steps in one order.
            Run();
            return;
        }
        thread = new Thread(Run) { IsBackground = true };
        thread.Start();
    }

    public static OwnThread<T> Start(Func<T> work) => new(work);

    public T Join()
    {
        thread?.Join();
        failure?.Throw();
        return result!;
    }
}
