using System.Globalization;
using System.Runtime.InteropServices;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// <c>--backup-dir</c>: every file a run deletes or overwrites in DEST is moved here under its relative
/// path instead of being destroyed, so that a mistaken run can be undone by copying BACKUP back.
///
/// A backup never replaces an earlier one: when <c>BACKUP/path</c> is taken, the file goes to
/// <c>path.~1~</c>, <c>path.~2~</c>, … (GNU cp's numbered backups); a directory on the way that is taken
/// by a file or a link is numbered the same way. On the filesystem of DEST a backup is one rename, which
/// is atomic and never replaces anything (renameat2 RENAME_NOREPLACE on Linux). On another filesystem
/// the file is copied to a temporary name in BACKUP, renamed to its backup name, and only then removed
/// from DEST: a crash in between leaves it in both places, never in neither. A symbolic link is backed
/// up as a link, never followed. On Linux every path is passed to the system by its bytes
/// (<see cref="NativeFiles"/>), so a name that is not UTF-8 is backed up under the very same name.
/// </summary>
public sealed partial class BackupStore(string backupRoot, string destRoot)
{
    public string Root { get; } = backupRoot;

    /// <summary>Moves DEST/<paramref name="relative"/> into the backup; a file already gone is no error.</summary>
    public void Keep(string relative)
    {
        var from = Path.Combine(destRoot, relative.Replace('/', Path.DirectorySeparatorChar));
        if (!Occupied(from))
        {
            return;
        }
        for (var attempt = 0; ; attempt++)
        {
            var to = FreeTarget(relative);
            MakeDirectories(Path.GetDirectoryName(to)!);
            switch (Rename(from, to))
            {
                case RenameResult.Done:
                    return;
                case RenameResult.OtherFileSystem when Native:
                    CopyThenDeleteNative(from, to);
                    return;
                case RenameResult.OtherFileSystem:
                    CopyThenDelete(new FileInfo(from), to);
                    return;
                case RenameResult.Taken when attempt < 100:
                    continue; // another run took the name since FreeTarget looked
                default:
                    throw new IOException($"cannot move {from} to the backup {to}");
            }
        }
    }

    private static void CopyThenDelete(FileInfo from, string to)
    {
        var temp = Path.Combine(Path.GetDirectoryName(to)!, TemporaryName.New());
        try
        {
            if (from.LinkTarget is { } target)
            {
                File.CreateSymbolicLink(temp, target);
            }
            else
            {
                File.Copy(from.FullName, temp, overwrite: false);
                File.SetLastWriteTimeUtc(temp, from.LastWriteTimeUtc);
                PermissionBits.Write(temp, PermissionBits.Read(from.FullName));
            }
            KillPoint.Step();
            File.Move(temp, to, overwrite: false);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        KillPoint.Step();
        File.Delete(from.FullName);
    }

    private static bool Native => NativeFiles.IsAvailable;

    private static void MakeDirectories(string path)
    {
        if (!Native)
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (NativeFiles.TryStat(path, out var stat) && stat.IsDirectory)
        {
            return;
        }
        if (Path.GetDirectoryName(path) is { Length: > 0 } parent && parent != path)
        {
            MakeDirectories(parent);
        }
        try
        {
            NativeFiles.MakeDirectory(path);
        }
        catch (IOException) when (NativeFiles.TryStat(path, out var made) && made.IsDirectory)
        {
            // Made meanwhile by another run: as good.
        }
    }

    /// <summary>The same as <see cref="CopyThenDelete"/>, by the names' bytes.</summary>
    private static void CopyThenDeleteNative(string from, string to)
    {
        var temp = Path.Combine(Path.GetDirectoryName(to)!, TemporaryName.New());
        try
        {
            if (!NativeFiles.TryStat(from, out var stat))
            {
                throw new IOException($"cannot back up {from}: it is gone");
            }
            var meta = new Core.Files.FileMeta(stat.ModifiedNs, stat.Mode);
            if (stat.IsLink)
            {
                NativeFiles.MakeLink(NativeFiles.ReadLink(from), temp);
                NativeFiles.SetMeta(temp, meta, isLink: true);
            }
            else
            {
                NativeFiles.CopyNew(from, temp, meta);
            }
            KillPoint.Step();
            if (NativeFiles.Rename(temp, to, replace: false) is not 0 and var errno)
            {
                throw new IOException($"cannot move {temp} to the backup {to}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        catch
        {
            if (NativeFiles.TryStat(temp, out _))
            {
                NativeFiles.Delete(temp);
            }
            throw;
        }
        KillPoint.Step();
        NativeFiles.Delete(from);
    }

    /// <summary>The first backup name for a path that no earlier backup holds.</summary>
    private string FreeTarget(string relative)
    {
        var parts = relative.Split('/');
        var current = Root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Numbered(current, parts[i], p => !Occupied(p) || IsRealDirectory(p));
        }
        return Numbered(current, parts[^1], p => !Occupied(p));
    }

    private static string Numbered(string directory, string name, Func<string, bool> usable)
    {
        var candidate = Path.Combine(directory, name);
        for (var n = 1; !usable(candidate); n++)
        {
            candidate = Path.Combine(directory, name + ".~" + n.ToString(CultureInfo.InvariantCulture) + "~");
        }
        return candidate;
    }

    private static bool Occupied(string path) =>
        Native ? NativeFiles.TryStat(path, out _) : File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static bool IsRealDirectory(string path) =>
        Native ? NativeFiles.TryStat(path, out var stat) && stat.IsDirectory : Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null;

    private enum RenameResult
    {
        Done,
        OtherFileSystem,
        Taken,
    }

    private static RenameResult Rename(string from, string to)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(from, to, overwrite: false);
            return RenameResult.Done;
        }
        // File.Move would silently fall back to copying across filesystems (following links, and writing
        // the final name before the copy is complete), and rename(2) would replace an existing backup.
        var errno = OperatingSystem.IsLinux() ? NativeFiles.Rename(from, to, replace: false) : -1;
        if (errno != 0 && (!OperatingSystem.IsLinux() || errno is NativeFiles.NotImplemented or NativeFiles.Invalid))
        {
            // No renameat2 (old kernel, or a filesystem without RENAME_NOREPLACE): FreeTarget has
            // just checked that the name is free.
            errno = RenamePlain(NativeFiles.PathBytes(from), NativeFiles.PathBytes(to)) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        return errno switch
        {
            0 => RenameResult.Done,
            NativeFiles.OtherDevice => RenameResult.OtherFileSystem,
            NativeFiles.Exists => RenameResult.Taken,
            _ => throw new IOException($"cannot move {from} to the backup {to}: {Marshal.GetPInvokeErrorMessage(errno)}"),
        };
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static partial int RenamePlain(byte[] oldPath, byte[] newPath);
}
