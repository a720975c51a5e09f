using LanguageExt;

namespace Reconcile.Core.Files;

/// <summary>
/// Applies a files plan to an in-memory DEST, checking each step as a filesystem would: a step that reads
/// a path that is not there, writes over something it must not, or leaves a directory that is not empty
/// fails with the step's index. Copies take their bytes from the SOURCE tree, and every entry an action
/// makes or sets must be the one SOURCE has at that path: the same metadata (time, bits, owner), link
/// target or device, so that a saved plan edited by hand is caught. A change inside a directory moves its
/// time, so its metadata is unknown again until a later step sets it.
/// </summary>
public static class FileSimulator
{
    public static Either<string, FileTree> Apply(FileTree dest, Seq<FileAction> plan, FileTree source)
    {
        var files = new Dictionary<string, FileEntry>(dest.Files, StringComparer.Ordinal);
        var dirs = FileTrees.AllDirectories(dest);
        var dirMeta = new Dictionary<string, FileMeta>(dest.DirectoryMeta, StringComparer.Ordinal);
        var index = 0;
        foreach (var action in plan)
        {
            var error = Step(action, files, dirs, source, dirMeta) ?? FromSource(action, source);
            if (error is not null)
            {
                return $"step {index} ({action.Op} {action.Target}): {error}";
            }
            if (action.ChangesParents)
            {
                foreach (var path in action.Touches)
                {
                    dirMeta.Remove(FileTrees.Parent(path));
                }
            }
            index++;
        }
        return new FileTree(files, dirs, dest.Pinned) { DirectoryMeta = dirMeta };
    }

    /// <summary>Whether what an action makes or sets is what SOURCE has at its path; null when it is.</summary>
    private static string? FromSource(FileAction action, FileTree source)
    {
        var (path, meta) = action switch
        {
            CopyFile c => (c.Path, c.Meta),
            UpdateFile u => (u.Path, u.Meta),
            MoveFile m => (m.To, m.Meta),
            CopyLocal l => (l.To, l.Meta),
            TouchFile t => (t.Path, t.Meta),
            TouchLink t => (t.Path, t.Meta),
            MakeLink l => (l.Path, l.Meta),
            MakeNode n => (n.Path, n.Meta),
            TouchDirectory d => (d.Path, d.Meta),
            _ => ((string?)null, default(FileMeta)),
        };
        if (path is null)
        {
            return null;
        }
        if (action is TouchDirectory)
        {
            return !source.DirectoryMeta.TryGetValue(path, out var dirMeta) ? $"SOURCE has no directory {path} with known metadata"
                : dirMeta != meta ? $"the metadata of {path} differs from SOURCE's ({Describe(meta)}, SOURCE {Describe(dirMeta)})"
                : null;
        }
        if (!source.Files.TryGetValue(path, out var entry))
        {
            return $"no entry at {path} in SOURCE";
        }
        if (entry.Meta != meta)
        {
            return $"the metadata of {path} differs from SOURCE's ({Describe(meta)}, SOURCE {Describe(entry.Meta)})";
        }
        return action switch
        {
            MakeLink l when !entry.IsLink || !string.Equals(entry.LinkTarget, l.LinkTarget, StringComparison.Ordinal) =>
                $"SOURCE has no link to {l.LinkTarget} at {path}",
            MakeNode n when entry.Kind != n.Kind || entry.Device != n.Device => $"SOURCE has no {n.Kind} {n.Device} at {path}",
            TouchLink when !entry.IsLink => $"SOURCE has no link at {path}",
            CopyFile or UpdateFile or MoveFile or CopyLocal when !entry.IsRegular => $"SOURCE has no regular file at {path}",
            TouchFile when entry.IsLink => $"SOURCE has a link at {path}",
            _ => null,
        };
    }

    private static string Describe(FileMeta meta) =>
        $"mode {Convert.ToString(meta.Mode, 8)}, time {FileTime.Format(meta.ModifiedNs)}, owner {Owner(meta.Owner)}:{Owner(meta.Group)}";

    private static string Owner(uint id) =>
        id == FileMeta.NoOwner ? "-" : id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether two trees hold the same files (content, size, time, mode) and directories.</summary>
    public static bool SameTree(FileTree expected, FileTree actual, out string difference)
    {
        var wantDirs = FileTrees.AllDirectories(expected);
        var haveDirs = FileTrees.AllDirectories(actual);
        foreach (var (path, entry) in expected.Files)
        {
            if (!actual.Files.TryGetValue(path, out var other))
            {
                difference = $"missing file {path}";
                return false;
            }
            var same = entry.IsRegular ? FilePlanner.SameContent(entry, other, checksum: true) : entry.SameNode(other);
            if (!same || entry.Meta != other.Meta)
            {
                difference = $"different file {path}: want {entry}, have {other}";
                return false;
            }
        }
        foreach (var (dir, meta) in expected.DirectoryMeta)
        {
            if (!actual.DirectoryMeta.TryGetValue(dir, out var have) || have != meta)
            {
                difference = $"directory {(dir.Length == 0 ? "." : dir)}: want {Describe(meta)}, have {(actual.DirectoryMeta.ContainsKey(dir) ? Describe(have) : "unknown")}";
                return false;
            }
        }
        var extra = actual.Files.Keys.FirstOrDefault(p => !expected.Files.ContainsKey(p));
        if (extra is not null)
        {
            difference = $"extra file {extra}";
            return false;
        }
        var missingDir = wantDirs.FirstOrDefault(d => !haveDirs.Contains(d));
        var extraDir = haveDirs.FirstOrDefault(d => !wantDirs.Contains(d));
        difference = missingDir is not null ? $"missing directory {missingDir}"
            : extraDir is not null ? $"extra directory {extraDir}"
            : "";
        return difference.Length == 0;
    }

    private static string? Step(
        FileAction action, Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, FileTree source, Dictionary<string, FileMeta> dirMeta)
    {
        switch (action)
        {
            case CopyFile copy:
                return Transfer(copy.Path, copy.Bytes, copy.Meta, mustReplace: false, files, dirs, source);
            case UpdateFile update:
                return Transfer(update.Path, update.Bytes, update.Meta, mustReplace: true, files, dirs, source);
            case MoveFile move:
                {
                    if (!files.TryGetValue(move.From, out var entry))
                    {
                        return $"no file at {move.From}";
                    }
                    var problem = CanWrite(move.To, move.Replaces, files, dirs);
                    if (problem is not null)
                    {
                        return problem;
                    }
                    files.Remove(move.From);
                    files[move.To] = entry.WithMeta(move.Meta);
                    return null;
                }
            case CopyLocal local:
                {
                    if (!files.TryGetValue(local.From, out var entry) || !entry.IsRegular)
                    {
                        return $"no file at {local.From}";
                    }
                    var problem = CanWrite(local.To, local.Replaces, files, dirs);
                    if (problem is not null)
                    {
                        return problem;
                    }
                    files[local.To] = entry.WithMeta(local.Meta);
                    return null;
                }
            case StashFile stash:
                {
                    if (!files.TryGetValue(stash.From, out var entry))
                    {
                        return $"no file at {stash.From}";
                    }
                    var problem = CanWrite(stash.To, replaces: false, files, dirs);
                    if (problem is not null)
                    {
                        return problem;
                    }
                    files.Remove(stash.From);
                    files[stash.To] = entry;
                    return null;
                }
            case TouchFile touch:
                if (!files.TryGetValue(touch.Path, out var touched) || touched.IsLink)
                {
                    return $"no file at {touch.Path}";
                }
                files[touch.Path] = touched.WithMeta(touch.Meta);
                return null;
            case TouchLink touch:
                if (!files.TryGetValue(touch.Path, out var link) || !link.IsLink)
                {
                    return $"no link at {touch.Path}";
                }
                files[touch.Path] = link.WithMeta(touch.Meta);
                return null;
            case MakeLink or MakeNode:
                {
                    var path = action.Touches[0];
                    var problem = CanWrite(path, action is MakeLink { Replaces: true } or MakeNode { Replaces: true }, files, dirs);
                    if (problem is not null)
                    {
                        return problem;
                    }
                    if (!source.Files.TryGetValue(path, out var made))
                    {
                        return $"no entry at {path} in SOURCE";
                    }
                    files[path] = made;
                    return null;
                }
            case TouchDirectory touch:
                if (touch.Path.Length > 0 && !dirs.Contains(touch.Path))
                {
                    return $"no directory at {touch.Path}";
                }
                dirMeta[touch.Path] = touch.Meta;
                return null;
            case DeleteFile delete:
                return files.Remove(delete.Path) ? null : $"no file at {delete.Path}";
            case MakeDirectory mkdir:
                if (files.ContainsKey(mkdir.Path) || dirs.Contains(mkdir.Path))
                {
                    return $"{mkdir.Path} already exists";
                }
                if (!ParentIsDirectory(mkdir.Path, dirs))
                {
                    return $"no parent directory for {mkdir.Path}";
                }
                dirs.Add(mkdir.Path);
                dirMeta.Remove(mkdir.Path);
                return null;
            case RemoveDirectory rmdir:
                if (!dirs.Contains(rmdir.Path))
                {
                    return $"no directory at {rmdir.Path}";
                }
                if (files.Keys.Any(p => FileTrees.IsBelow(p, rmdir.Path)) || dirs.Any(d => FileTrees.IsBelow(d, rmdir.Path)))
                {
                    return $"directory {rmdir.Path} is not empty";
                }
                dirs.Remove(rmdir.Path);
                dirMeta.Remove(rmdir.Path);
                return null;
            default:
                return $"unknown action {action.GetType().Name}";
        }
    }

    private static string? Transfer(string path, long bytes, FileMeta meta, bool mustReplace, Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, FileTree source)
    {
        if (!source.Files.TryGetValue(path, out var entry))
        {
            return $"no file at {path} in SOURCE";
        }
        if (entry.Size != bytes)
        {
            return $"{path} has {entry.Size} bytes in SOURCE, the plan says {bytes}";
        }
        var problem = CanWrite(path, mustReplace, files, dirs);
        if (problem is not null)
        {
            return problem;
        }
        files[path] = entry.WithMeta(meta);
        return null;
    }

    /// <summary>A write must find its parent directory, and a file to replace exactly when it says so.</summary>
    private static string? CanWrite(string path, bool replaces, Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs)
    {
        if (!ParentIsDirectory(path, dirs))
        {
            return $"no parent directory for {path}";
        }
        if (dirs.Contains(path))
        {
            return $"{path} is a directory";
        }
        var exists = files.ContainsKey(path);
        return exists == replaces ? null
            : exists ? $"{path} exists and would be overwritten"
            : $"{path} does not exist, nothing to replace";
    }

    private static bool ParentIsDirectory(string path, System.Collections.Generic.HashSet<string> dirs)
    {
        var parent = FileTrees.Parent(path);
        return parent.Length == 0 || dirs.Contains(parent);
    }
}
