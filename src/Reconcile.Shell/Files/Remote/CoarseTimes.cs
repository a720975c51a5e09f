using Reconcile.Core.Files;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// A tree's modification times cut down to a resolution: when one side keeps whole seconds (SFTP), both
/// trees are compared, and copies are stamped, at whole seconds, so that a file copied once is not
/// found different again because its other side lost the fraction of a second.
/// </summary>
public static class CoarseTimes
{
    public static FileTree Of(FileTree tree, TimeSpan resolution)
    {
        if (resolution.Ticks <= 1)
        {
            return tree;
        }
        var files = new Dictionary<string, FileEntry>(tree.Files.Count, StringComparer.Ordinal);
        foreach (var (path, entry) in tree.Files)
        {
            var ticks = entry.ModifiedUtc.Ticks;
            var coarse = ticks - (ticks % resolution.Ticks);
            files[path] = coarse == ticks ? entry : entry with { ModifiedUtc = new DateTime(coarse, DateTimeKind.Utc) };
        }
        return tree with { Files = files };
    }
}
