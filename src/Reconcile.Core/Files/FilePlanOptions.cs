namespace Reconcile.Core.Files;

/// <summary>
/// How the planner compares files. With <see cref="Checksum"/> every file is compared by content hash;
/// otherwise a file whose size and modification time match at the same path is taken as unchanged.
/// <see cref="StashRoot"/> is the preferred name of the folder inside DEST that holds files in transit.
/// <see cref="ModifyWindow"/> is rsync's <c>--modify-window</c>: times whose whole seconds differ by no
/// more than it are the same (0, the default, compares whole seconds; a negative window compares
/// nanoseconds too).
/// </summary>
public sealed record FilePlanOptions(bool Checksum = false, string StashRoot = ".reconcile-tmp", int ModifyWindow = 0)
{
    public static readonly FilePlanOptions Default = new();
}
