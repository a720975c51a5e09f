namespace Reconcile.Shell.Tests.Safety;

/// <summary>Tries kill points 1, 2, 3, … a few at a time, until a run is no longer killed: it finished.</summary>
public static class KillRuns
{
    public sealed record Outcome(int KillPoints);

    /// <param name="killAt">Runs with the kill point N, checks the repair, and says whether it was killed.</param>
    public static Outcome Sweep(Func<int, bool> killAt, int limit = 400)
    {
        const int batch = 4;
        for (var start = 1; start <= limit; start += batch)
        {
            var killed = new bool[batch];
            Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = batch }, i => killed[i] = killAt(start + i));
            var firstFinished = Array.IndexOf(killed, false);
            if (firstFinished >= 0)
            {
                Assert.All(killed.Skip(firstFinished), k => Assert.False(k, "a run was killed after a run with an earlier kill point finished"));
                return new Outcome(start + firstFinished - 1);
            }
        }
        throw new InvalidOperationException($"runs were still killed after {limit} steps");
    }
}
