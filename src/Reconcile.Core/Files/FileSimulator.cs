using LanguageExt;

namespace Reconcile.Core.Files;

/// <summary>
/// Applies a files plan to an in-memory DEST, checking each step as a filesystem would: a step that reads
/// a path that is not there, writes over something it must not, or leaves a directory that is not empty
/// fails with the step's index. Copies take their bytes from the SOURCE tree.
/// </summary>
public static class FileSimulator
{
    public static Either<string, FileTree> Apply(FileTree dest, Seq<FileAction> plan, FileTree source)
    {
        var files = new Dictionary<string, FileEntry>(dest.Files, StringComparer.Ordinal);
        var dirs = FileTrees.AllDirectories(dest);
        var index = 0;
        foreach (var action in plan)
        {
            var error = Step(action, files, dirs, source);
            if (error is not null)
            {
                return $"step {index} ({action.Op} {action.Target}): {error}";
            }
            index++;
        }
        return new FileTree(files, dirs, dest.Pinned);
    }

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
            if (!FilePlanner.SameContent(entry, other, checksum: true) || entry.Meta != other.Meta || other.IsLink)
            {
                difference = $"different file {path}: want {entry}, have {other}";
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

    private static string? Step(FileAction action, Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, FileTree source)
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
                    if (!files.TryGetValue(local.From, out var entry) || entry.IsLink)
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
