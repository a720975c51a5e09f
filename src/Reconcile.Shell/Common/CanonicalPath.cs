namespace Reconcile.Shell.Common;

/// <summary>One spelling per directory, so that checks about where a path leads cannot be fooled by links.</summary>
public static class CanonicalPath
{
    /// <summary>
    /// The full path with <c>.</c>, <c>..</c>, repeated separators and every symbolic link on the way
    /// resolved; the part that does not exist yet (a DEST about to be created) is kept as written.
    /// </summary>
    public static string Of(string path) => Resolve(Path.GetFullPath(path), depth: 0);

    private static string Resolve(string full, int depth)
    {
        var root = Path.GetPathRoot(full) ?? "/";
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        foreach (var part in parts)
        {
            var next = Path.Combine(current, part);
            // A link loop ends in a path that does not resolve; 40 is Linux's own limit.
            if (depth < 40 && new FileInfo(next).LinkTarget is not null
                && new FileInfo(next).ResolveLinkTarget(returnFinalTarget: false) is { } target)
            {
                // The target may be relative, and its own parents may be links.
                next = Resolve(Path.GetFullPath(target.FullName), depth + 1);
            }
            current = next;
        }
        return current;
    }
}
