using System.IO.Abstractions;
using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>The outcome of executing a plan: the actions done, and one message per action that failed or was skipped.</summary>
public sealed record FileExecution(Seq<FileAction> Applied, IReadOnlyList<string> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Carries out a files plan on disk, in order. New bytes are written to a temporary file beside their
/// target and renamed into place, so a file never appears half-written under its final name. When an
/// action fails, the rest still run, except deletions: those are skipped once anything has failed.
/// </summary>
public sealed class FileExecutor(IFileSystem fileSystem, string sourceRoot, string destRoot)
{
    public const string PartSuffix = ".part";

    private readonly bool native = fileSystem is FileSystem && NativeFiles.IsAvailable;

    public FileExecution Execute(Seq<FileAction> plan, Action<FileAction>? applied = null)
    {
        var actions = plan.ToArray();
        var done = new List<FileAction>();
        var failures = new List<string>();
        for (var i = 0; i < actions.Length;)
        {
            var end = EndOfIndependentRun(actions, i);
            if (end - i >= 2)
            {
                ApplyInParallel(actions, i, end, done, failures, applied);
                i = end;
                continue;
            }
            var action = actions[i++];
            if (failures.Count > 0 && action is DeleteFile or RemoveDirectory)
            {
                failures.Add($"{Describe(action)}: skipped because an earlier action failed");
                continue;
            }
            var error = TryApply(action);
            if (error is null)
            {
                done.Add(action);
                applied?.Invoke(action);
            }
            else
            {
                failures.Add(error);
            }
        }
        return new FileExecution(done.ToSeq(), failures);
    }

    /// <summary>
    /// The end of the run of actions from <paramref name="start"/> that may run in any order: transfers
    /// from SOURCE (or metadata updates) of distinct paths, whose directories the plan has already made
    /// and whose earlier moves are done. Any other action ends the run, so nothing crosses a move, stash,
    /// delete, mkdir or rmdir.
    /// </summary>
    private static int EndOfIndependentRun(FileAction[] actions, int start)
    {
        static int Kind(FileAction a) => a switch
        {
            CopyFile or UpdateFile => 1,
            TouchFile => 2,
            _ => 0,
        };
        var kind = Kind(actions[start]);
        if (kind == 0)
        {
            return start;
        }
        var end = start + 1;
        while (end < actions.Length && Kind(actions[end]) == kind)
        {
            end++;
        }
        return end;
    }

    private void ApplyInParallel(FileAction[] actions, int start, int end, List<FileAction> done, List<string> failures, Action<FileAction>? applied)
    {
        var errors = new string?[end - start];
        Parallel.For(
            start,
            end,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => errors[i - start] = TryApply(actions[i]));
        // Reported in plan order, as if they had run one by one.
        for (var i = start; i < end; i++)
        {
            if (errors[i - start] is { } error)
            {
                failures.Add(error);
            }
            else
            {
                done.Add(actions[i]);
                applied?.Invoke(actions[i]);
            }
        }
    }

    private string? TryApply(FileAction action)
    {
        try
        {
            Apply(action);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FileChangedException)
        {
            return $"{Describe(action)}: {e.Message}";
        }
    }

    private void Apply(FileAction action)
    {
        switch (action)
        {
            case CopyFile copy:
                Transfer(Source(copy.Path), Dest(copy.Path), copy.Bytes, copy.Meta, replace: false);
                break;
            case UpdateFile update:
                Transfer(Source(update.Path), Dest(update.Path), update.Bytes, update.Meta, replace: true);
                break;
            case CopyLocal local:
                Transfer(Dest(local.From), Dest(local.To), expectedBytes: null, local.Meta, local.Replaces);
                break;
            case MoveFile move:
                fileSystem.File.Move(Dest(move.From), Dest(move.To), move.Replaces);
                SetMeta(Dest(move.To), move.Meta);
                break;
            case StashFile stash:
                fileSystem.File.Move(Dest(stash.From), Dest(stash.To), false);
                break;
            case TouchFile touch:
                SetMeta(Dest(touch.Path), touch.Meta);
                break;
            case DeleteFile delete:
                fileSystem.File.Delete(Dest(delete.Path));
                break;
            case MakeDirectory mkdir:
                fileSystem.Directory.CreateDirectory(Dest(mkdir.Path));
                break;
            case RemoveDirectory rmdir:
                fileSystem.Directory.Delete(Dest(rmdir.Path), recursive: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
    }

    private void Transfer(string from, string to, long? expectedBytes, FileMeta meta, bool replace)
    {
        var directory = fileSystem.Path.GetDirectoryName(to) ?? destRoot;
        var temp = fileSystem.Path.Combine(directory, ".reconcile-" + Guid.NewGuid().ToString("N")[..16] + PartSuffix);
        try
        {
            long written;
            if (native)
            {
                written = NativeFiles.CopyNew(from, temp, meta.Mode, meta.ModifiedUtc);
            }
            else
            {
                fileSystem.File.Copy(from, temp, overwrite: false);
                written = fileSystem.FileInfo.FromFileName(temp).Length;
            }
            if (expectedBytes is { } expected && written != expected)
            {
                throw new FileChangedException($"{from} changed while it was copied ({expected} bytes planned, {written} copied)");
            }
            if (!native)
            {
                SetMeta(temp, meta);
            }
            Rename(temp, to, replace);
        }
        catch
        {
            if (fileSystem.File.Exists(temp))
            {
                fileSystem.File.Delete(temp);
            }
            throw;
        }
    }

    private void Rename(string from, string to, bool replace)
    {
        if (!native || !NativeFiles.TryRename(from, to, replace))
        {
            fileSystem.File.Move(from, to, replace);
        }
    }

    private void SetMeta(string path, FileMeta meta)
    {
        PermissionBits.Write(path, meta.Mode);
        fileSystem.File.SetLastWriteTimeUtc(path, meta.ModifiedUtc);
    }

    private string Source(string relative) => Full(sourceRoot, relative);

    private string Dest(string relative) => Full(destRoot, relative);

    private string Full(string root, string relative) =>
        fileSystem.Path.Combine(root, relative.Replace('/', fileSystem.Path.DirectorySeparatorChar));

    private static string Describe(FileAction action) => FilePlanWriter.Line(action);
}

/// <summary>A source file that changed between planning and copying.</summary>
public sealed class FileChangedException(string message) : IOException(message);
