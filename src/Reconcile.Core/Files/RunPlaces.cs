using Reconcile.Core.Common;

namespace Reconcile.Core.Files;

/// <summary>A path as the user wrote it (for messages) and as it resolves, links included (for every check and write).</summary>
public sealed record RunPath(string Written, string Resolved);

/// <summary>
/// Every place a files run reads or writes: the two roots, and what it writes outside DEST (the backup
/// directory, the hash cache's directory, the lock's directory, the <c>--plan-out</c> file), each resolved
/// once; null where the run has none. <see cref="Separator"/> is the platform's directory separator.
/// (Nullable references rather than options: this runs at every start, where each generic instantiation
/// the runtime has not precompiled costs compilation time.)
/// </summary>
public sealed record RunPlaces(
    RunPath Source,
    RunPath Dest,
    RunPath? Backup,
    RunPath? Cache,
    RunPath? LockDirectory,
    RunPath? PlanOut,
    char Separator = '/');

/// <summary>
/// The one rule for "inside a root": nothing is ever written inside SOURCE, and nothing but the mirror
/// inside DEST. Paths are compared resolved, so a link to either root is seen for what it is.
/// </summary>
public static class RunPlaceRules
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it.</summary>
    public static bool IsInside(string path, string root, char separator = '/') =>
        WithSeparator(path, separator).StartsWith(WithSeparator(root, separator), StringComparison.Ordinal);

    /// <summary>Whether either path is the other or lies inside it.</summary>
    public static bool Overlap(string a, string b, char separator = '/') =>
        IsInside(a, b, separator) || IsInside(b, a, separator);

    /// <summary>
    /// Why the run cannot go ahead with these places, if it cannot: SOURCE and DEST overlap; a backup
    /// directory overlaps either (inside SOURCE it writes there, inside DEST the next run deletes it,
    /// around either a backup's relative path could land inside them); the lock's directory or the saved
    /// plan lies inside either. All bad input: nothing has been changed. Null when the places may be used.
    /// </summary>
    public static Problem? Refusal(RunPlaces places)
    {
        var (source, dest, separator) = (places.Source, places.Dest, places.Separator);
        bool InsideARoot(RunPath p) => IsInside(p.Resolved, source.Resolved, separator) || IsInside(p.Resolved, dest.Resolved, separator);
        if (Overlap(source.Resolved, dest.Resolved, separator))
        {
            return Problem.BadInput($"SOURCE {source.Written} and DEST {dest.Written} overlap; a mirror must live outside its source");
        }
        if (places.Backup is { } backup)
        {
            if (Overlap(backup.Resolved, source.Resolved, separator) || Overlap(backup.Resolved, dest.Resolved, separator))
            {
                return Problem.BadInput($"--backup-dir {backup.Written} overlaps SOURCE or DEST; it must be a directory outside both");
            }
        }
        if (places.LockDirectory is { } locks)
        {
            if (InsideARoot(locks))
            {
                return Problem.BadInput($"the run lock's directory {locks.Written} lies inside SOURCE or DEST; set XDG_CACHE_HOME to a directory outside both");
            }
        }
        if (places.PlanOut is { } planOut)
        {
            if (InsideARoot(planOut))
            {
                return Problem.BadInput($"--plan-out {planOut.Written} lies inside SOURCE or DEST; save the plan outside both");
            }
        }
        return null;
    }

    /// <summary>
    /// The hash cache's directory, unless it lies inside SOURCE or DEST (then the run goes on without a
    /// cache: the cache only saves time). Null when there is none to use.
    /// </summary>
    public static RunPath? UsableCache(RunPlaces places) =>
        places.Cache is { } cache
        && !IsInside(cache.Resolved, places.Source.Resolved, places.Separator)
        && !IsInside(cache.Resolved, places.Dest.Resolved, places.Separator)
            ? cache
            : null;

    private static string WithSeparator(string path, char separator) => path.TrimEnd(separator) + separator;
}
