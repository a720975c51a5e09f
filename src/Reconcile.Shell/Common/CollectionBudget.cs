namespace Reconcile.Shell.Common;

/// <summary>
/// A files run builds its two trees (about 100 MB of objects for 100,000 files) and keeps them until it
/// ends, so a collection during the gather frees almost nothing and copies everything it finds. The big
/// dictionaries also grow through the large-object heap, whose small starting budget sets off full
/// collections: 3 of them, 70 to 90 ms of pauses, on a 100,000-file run with nothing to do. So a files run
/// asks the runtime for no collections until it has allocated <see cref="Bytes"/>; past that,
/// collections resume as usual, so a bigger tree pays for them but memory stays bounded.
/// </summary>
internal static class CollectionBudget
{
    /// <summary>How much a run may allocate before the first collection (small and large objects each).</summary>
    public const long Bytes = 160L << 20;

    /// <summary>For the commands that gather file trees; the others keep the runtime's defaults.</summary>
    public static void Start(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("files" or "apply"))
        {
            return;
        }
        try
        {
            // Starts with one collection, while the heap holds next to nothing.
            GC.TryStartNoGCRegion(Bytes);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // A runtime that cannot set so much aside runs with its defaults.
        }
    }
}
