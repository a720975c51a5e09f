using LanguageExt;

namespace Reconcile.Core.Files;

/// <summary>Counts per kind of action and the bytes that must come from SOURCE.</summary>
public sealed record FileSummary(
    int Copy,
    int Update,
    int Move,
    int LocalCopy,
    int Stash,
    int Touch,
    int Delete,
    int Mkdir,
    int Rmdir,
    long BytesToCopy)
{
    /// <summary>Bytes of new files transferred from SOURCE.</summary>
    public long CopyBytes { get; init; }

    /// <summary>Bytes transferred from SOURCE over changed files.</summary>
    public long UpdateBytes { get; init; }

    /// <summary>Symbolic links made.</summary>
    public int Link { get; init; }

    /// <summary>FIFOs, sockets and devices made.</summary>
    public int Node { get; init; }

    public int Total => Copy + Update + Move + LocalCopy + Stash + Touch + Delete + Mkdir + Rmdir + Link + Node;

    public static FileSummary Of(Seq<FileAction> actions)
    {
        // Counted by the name every output gives the action.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        long copyBytes = 0, updateBytes = 0;
        int Count(string op) => counts.TryGetValue(op, out var n) ? n : 0;
        foreach (var action in actions)
        {
            counts[action.Op] = Count(action.Op) + 1;
            if (action is CopyFile)
            {
                copyBytes += action.BytesFromSource;
            }
            else
            {
                updateBytes += action.BytesFromSource;
            }
        }
        return new(Count("copy"), Count("update"), Count("move"), Count("local_copy"), Count("stash"), Count("touch") + Count("touch_link") + Count("touch_dir"), Count("delete"), Count("mkdir"), Count("rmdir"), copyBytes + updateBytes)
        {
            CopyBytes = copyBytes,
            UpdateBytes = updateBytes,
            Link = Count("link"),
            Node = Count("mknod"),
        };
    }
}
