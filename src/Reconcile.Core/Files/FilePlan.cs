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

    public int Total => Copy + Update + Move + LocalCopy + Stash + Touch + Delete + Mkdir + Rmdir;

    public static FileSummary Of(Seq<FileAction> actions)
    {
        int copy = 0, update = 0, move = 0, local = 0, stash = 0, touch = 0, delete = 0, mkdir = 0, rmdir = 0;
        long copyBytes = 0, updateBytes = 0;
        foreach (var action in actions)
        {
            switch (action)
            {
                case CopyFile c:
                    copy++;
                    copyBytes += c.Bytes;
                    break;
                case UpdateFile u:
                    update++;
                    updateBytes += u.Bytes;
                    break;
                case MoveFile:
                    move++;
                    break;
                case CopyLocal:
                    local++;
                    break;
                case StashFile:
                    stash++;
                    break;
                case TouchFile:
                    touch++;
                    break;
                case DeleteFile:
                    delete++;
                    break;
                case MakeDirectory:
                    mkdir++;
                    break;
                case RemoveDirectory:
                    rmdir++;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(actions), action, "unknown action");
            }
        }
        return new(copy, update, move, local, stash, touch, delete, mkdir, rmdir, copyBytes + updateBytes)
        {
            CopyBytes = copyBytes,
            UpdateBytes = updateBytes,
        };
    }
}
