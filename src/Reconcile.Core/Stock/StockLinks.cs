using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>
/// The state's batches, the feed's and the allocations as arrays, with the state batch of each feed batch
/// and of each allocation found by position: its index among the state's batches, or -1 when the state
/// has no batch of that reference. The validator finds these anyway and hands them on; for any other
/// input the planner finds them itself.
/// </summary>
internal sealed class StockLinks(Batch[] old, Batch[] now, int[] oldOfNow, Allocation[] allocations, int[] oldOfAllocation)
{
    public Batch[] Old { get; } = old;

    public Batch[] Now { get; } = now;

    public int[] OldOfNow { get; } = oldOfNow;

    public Allocation[] Allocations { get; } = allocations;

    public int[] OldOfAllocation { get; } = oldOfAllocation;

    /// <summary>
    /// Finds the links with one index of the state's batches by reference (a reference that appears
    /// twice among them throws). A feed usually lists its batches in the order the state does, so the
    /// batch after the last one found is tried first: a comparison of two strings instead of a look-up.
    /// </summary>
    public static StockLinks Of(Seq<Batch> feed, StockState state)
    {
        var old = ToArray(state.Batches);
        var index = new Dictionary<string, int>(old.Length, StringComparer.Ordinal);
        for (var i = 0; i < old.Length; i++)
        {
            index.Add(old[i].Ref, i);
        }
        var now = ToArray(feed);
        var oldOfNow = new int[now.Length];
        var last = -1;
        for (var f = 0; f < now.Length; f++)
        {
            var reference = now[f].Ref;
            var next = last + 1;
            var i = next < old.Length && string.Equals(old[next].Ref, reference, StringComparison.Ordinal) ? next
                : index.TryGetValue(reference, out var found) ? found
                : -1;
            oldOfNow[f] = i;
            if (i >= 0)
            {
                last = i;
            }
        }
        var allocations = ToArray(state.Allocations);
        var oldOfAllocation = new int[allocations.Length];
        for (var a = 0; a < allocations.Length; a++)
        {
            oldOfAllocation[a] = index.TryGetValue(allocations[a].BatchRef, out var i) ? i : -1;
        }
        return new StockLinks(old, now, oldOfNow, allocations, oldOfAllocation);
    }

    private static T[] ToArray<T>(Seq<T> values)
    {
        var array = new T[values.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = values[i];
        }
        return array;
    }
}
