using System.IO.Abstractions;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// The absolute paths of a run, as it uses them: the roots as written (made absolute), and what it writes
/// outside DEST resolved, links included. <see cref="Backup"/>, <see cref="CacheDirectory"/>,
/// <see cref="LockFile"/> and <see cref="PlanOut"/> are null when the run has none.
/// </summary>
internal sealed record FileRoots(string Source, string Dest, bool DestExists, string? Backup, string? CacheDirectory, string? LockFile, string? PlanOut);

/// <summary>What a files run needs to know of its places before it starts, and the paths it writes outside DEST.</summary>
internal sealed record PlaceRequest(string Source, string Dest, string? BackupDir, string? CacheDir, bool TakesLock, string? PlanOut);

/// <summary>
/// Resolves every place of a files run once, and lets <see cref="RunPlaceRules"/> decide whether they
/// may be used: roots that must exist, overlaps, and paths written outside DEST that lead into a root.
/// </summary>
internal static class FilePlaces
{
    /// <summary>The run's places, or a <see cref="RunStoppedException"/> naming what is wrong; <paramref name="cacheRefused"/> names a cache directory left unused.</summary>
    public static FileRoots Resolve(IFileSystem fileSystem, PlaceRequest request, out string? cacheRefused)
    {
        var (source, dest) = (request.Source, request.Dest);
        RefuseLossyArgument("SOURCE", source);
        RefuseLossyArgument("DEST", dest);
        if (request.BackupDir is { } backupDir)
        {
            RefuseLossyArgument("--backup-dir", backupDir);
        }
        var sourceFull = fileSystem.Path.GetFullPath(source);
        var destFull = fileSystem.Path.GetFullPath(dest);
        var destExists = CheckRoots(fileSystem, source, dest, sourceFull, destFull);
        if (request.BackupDir is { } backup && fileSystem.File.Exists(fileSystem.Path.GetFullPath(backup)))
        {
            throw RunStoppedException.BadInput($"--backup-dir {backup} is a file, not a directory");
        }
        static RunPath? Resolved(string? written) => written is null ? null : new RunPath(written, CanonicalPath.Of(written));
        var lockDirectory = request.TakesLock ? RunLock.DefaultDirectory() : null;
        var places = new RunPlaces(
            new RunPath(source, CanonicalPath.Of(sourceFull)),
            new RunPath(dest, CanonicalPath.Of(destFull)),
            Resolved(request.BackupDir),
            Resolved(request.CacheDir is null ? null : fileSystem.Path.GetFullPath(request.CacheDir)),
            Resolved(lockDirectory),
            request.PlanOut is null ? null : new RunPath(request.PlanOut, PlanOutResolved(fileSystem, request.PlanOut)),
            fileSystem.Path.DirectorySeparatorChar);
        if (RunPlaceRules.Refusal(places) is { } problem)
        {
            throw new RunStoppedException(problem);
        }
        var cache = RunPlaceRules.UsableCache(places);
        cacheRefused = cache is null ? places.Cache?.Written : null;
        return new FileRoots(
            sourceFull,
            destFull,
            destExists,
            places.Backup?.Resolved,
            cache?.Resolved,
            places.LockDirectory is { } locks ? RunLock.ForDirectory(destFull, locks.Resolved) : null,
            places.PlanOut?.Resolved);
    }

    /// <summary>
    /// The runtime decodes the command line as UTF-8 and puts U+FFFD where bytes are not UTF-8, so such a
    /// root would name another directory (and DEST would be created under the wrong name): refused. Names
    /// below the roots may be any bytes; the roots themselves must be UTF-8.
    /// </summary>
    private static void RefuseLossyArgument(string what, string written)
    {
        if (written.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw RunStoppedException.BadInput(
                $"{what} {TerminalText.Escape(written)}: holds bytes that are not UTF-8 (or U+FFFD), which the command line cannot pass exactly; give a path that is UTF-8 (a parent directory, or a link to it)");
        }
    }

    /// <summary>A saved plan replaces the file at its path (a link there included), so its directory is what is resolved.</summary>
    private static string PlanOutResolved(IFileSystem fileSystem, string planOut)
    {
        var full = fileSystem.Path.GetFullPath(planOut);
        var directory = fileSystem.Path.GetDirectoryName(full);
        return directory is null ? full : fileSystem.Path.Combine(CanonicalPath.Of(directory), fileSystem.Path.GetFileName(full));
    }

    /// <summary>Checks that SOURCE is a readable directory and DEST a directory or creatable; whether DEST exists.</summary>
    private static bool CheckRoots(IFileSystem fileSystem, string source, string dest, string sourceFull, string destFull)
    {
        if (fileSystem.File.Exists(destFull))
        {
            throw RunStoppedException.BadInput($"DEST {dest} is a file, not a directory");
        }
        var destExists = fileSystem.Directory.Exists(destFull);
        if (!fileSystem.Directory.Exists(sourceFull))
        {
            if (fileSystem.File.Exists(sourceFull))
            {
                throw RunStoppedException.BadInput($"SOURCE {source} is a file, not a directory");
            }
            var destHasEntries = destExists && fileSystem.Directory.EnumerateFileSystemEntries(destFull).Any();
            throw new RunStoppedException(FileGuards.MissingSource(source, dest, destHasEntries));
        }
        try
        {
            using var entries = fileSystem.Directory.EnumerateFileSystemEntries(sourceFull).GetEnumerator();
            entries.MoveNext();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RunStoppedException.Refused($"SOURCE {source} cannot be read ({e.Message}); nothing was changed");
        }
        if (!destExists)
        {
            var parent = fileSystem.Path.GetDirectoryName(destFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar));
            if (parent is null || !fileSystem.Directory.Exists(parent))
            {
                throw RunStoppedException.BadInput($"DEST {dest} does not exist, and neither does its parent directory");
            }
        }
        return destExists;
    }
}
