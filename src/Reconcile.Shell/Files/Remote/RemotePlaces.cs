using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// The places of a files run with one remote root: the local root checked as <see cref="FilePlaces"/>
/// checks it, the remote one checked over SFTP once connected (SOURCE must be a directory; DEST a
/// directory, or a name whose parent is one), <c>--backup-dir</c> on DEST's side (a remote DEST keeps
/// its backups on its own host), and the lock of a remote DEST keyed by user, host, port and absolute
/// path. Every problem stops the run before anything is written, exit 2 (or the guards' own codes).
/// </summary>
internal static class RemotePlaces
{
    public static (FileRoots Roots, SftpEndpoint Remote) Resolve(
        IFileSystem fileSystem, PlaceRequest request, RemoteRoot remoteRoot, bool remoteIsDest, SshOptions ssh, Action<string> notices, out string? cacheRefused)
    {
        var localWritten = remoteIsDest ? request.Source : request.Dest;
        var local = CanonicalPath.Of(fileSystem.Path.GetFullPath(localWritten));
        var localExists = fileSystem.Directory.Exists(local);
        if (!remoteIsDest)
        {
            CheckLocalDest(fileSystem, request.Dest, local, localExists);
        }
        else if (!localExists)
        {
            if (fileSystem.File.Exists(local))
            {
                throw RunStoppedException.BadInput($"SOURCE {request.Source} is a file, not a directory");
            }
        }
        var written = remoteIsDest ? request.Dest : request.Source;
        var connection = SshConnection.Open(remoteRoot, ssh, $"{(remoteIsDest ? "DEST" : "SOURCE")} {written}", notices);
        var remote = SftpEndpoint.Open(connection, remoteRoot.Path);
        try
        {
            return (Check(fileSystem, request, remote, remoteIsDest, local, localExists, out cacheRefused), remote);
        }
        catch
        {
            remote.Dispose();
            throw;
        }
    }

    private static FileRoots Check(
        IFileSystem fileSystem, PlaceRequest request, SftpEndpoint remote, bool remoteIsDest, string local, bool localExists, out string? cacheRefused)
    {
        var there = remote.Look(remote.RootPath);
        bool destExists;
        if (remoteIsDest)
        {
            if (!localExists)
            {
                throw new RunStoppedException(FileGuards.MissingSource(request.Source, request.Dest, destHasEntries: there is { IsDirectory: true }));
            }
            destExists = there is { IsDirectory: true };
            if (there is { IsDirectory: false })
            {
                throw RunStoppedException.BadInput($"DEST {request.Dest} is not a directory on {remote.Host}");
            }
            if (there is null && remote.Look(ParentOf(remote.RootPath)) is not { IsDirectory: true })
            {
                throw RunStoppedException.BadInput($"DEST {request.Dest} does not exist on {remote.Host}, and neither does its parent directory");
            }
        }
        else
        {
            if (there is null)
            {
                throw RunStoppedException.BadInput($"SOURCE {request.Source} does not exist on {remote.Host}");
            }
            if (!there.IsDirectory)
            {
                throw RunStoppedException.BadInput($"SOURCE {request.Source} is not a directory on {remote.Host}");
            }
            destExists = localExists;
        }
        var backup = Backup(fileSystem, request, remote, remoteIsDest, local);
        var cache = request.CacheDir is null ? null : CanonicalPath.Of(fileSystem.Path.GetFullPath(request.CacheDir));
        cacheRefused = cache is not null && RunPlaceRules.Overlap(cache, local, fileSystem.Path.DirectorySeparatorChar) ? request.CacheDir : null;
        var planOut = request.PlanOut is null ? null : fileSystem.Path.GetFullPath(request.PlanOut);
        if (planOut is not null && RunPlaceRules.IsInside(planOut, local, fileSystem.Path.DirectorySeparatorChar))
        {
            throw RunStoppedException.BadInput($"--plan-out {request.PlanOut} lies inside {(remoteIsDest ? "SOURCE" : "DEST")}; save the plan outside both roots");
        }
        var lockFile = !request.TakesLock ? null
            : remoteIsDest ? LockFor(remote)
            : RunLock.ForDirectory(local, RunLock.DefaultDirectory());
        return new FileRoots(
            remoteIsDest ? local : remote.Root,
            remoteIsDest ? remote.Root : local,
            destExists,
            backup,
            cacheRefused is null ? cache : null,
            lockFile,
            planOut);
    }

    /// <summary>The backup directory: on the remote host for a remote DEST (an absolute path there, or relative to the login's home), else local. Never inside DEST or SOURCE.</summary>
    private static string? Backup(IFileSystem fileSystem, PlaceRequest request, SftpEndpoint remote, bool remoteIsDest, string local)
    {
        if (request.BackupDir is not { } written)
        {
            return null;
        }
        if (!remoteIsDest)
        {
            var full = fileSystem.Path.GetFullPath(written);
            if (fileSystem.File.Exists(full))
            {
                throw RunStoppedException.BadInput($"--backup-dir {written} is a file, not a directory");
            }
            var resolved = CanonicalPath.Of(full);
            if (RunPlaceRules.Overlap(resolved, local, fileSystem.Path.DirectorySeparatorChar))
            {
                throw RunStoppedException.BadInput($"--backup-dir {written} must lie outside DEST {request.Dest}");
            }
            return resolved;
        }
        var path = written;
        var named = RemoteRoot.Parse(written, "--backup-dir").IfLeft(p => throw new RunStoppedException(p));
        if (named.IsSome)
        {
            path = named.IfNone(default(RemoteRoot)!).Path;
        }
        var absolute = remote.Absolute(path);
        if (RunPlaceRules.Overlap(absolute, remote.RootPath))
        {
            throw RunStoppedException.BadInput($"--backup-dir {written} must lie outside DEST {request.Dest} on {remote.Host}");
        }
        if (remote.Look(absolute) is { IsDirectory: false })
        {
            throw RunStoppedException.BadInput($"--backup-dir {written} is a file on {remote.Host}, not a directory");
        }
        return absolute;
    }

    /// <summary>The lock of a remote DEST, in the local lock directory, named by a hash of user, host, port and absolute path.</summary>
    internal static string LockFor(SftpEndpoint remote)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(remote.Root)))[..32];
        return Path.Combine(RunLock.DefaultDirectory(), "sftp-" + key + ".lock");
    }

    private static string ParentOf(string absolute)
    {
        var slash = absolute.LastIndexOf('/');
        return slash <= 0 ? "/" : absolute[..slash];
    }

    private static void CheckLocalDest(IFileSystem fileSystem, string dest, string destFull, bool destExists)
    {
        if (fileSystem.File.Exists(destFull))
        {
            throw RunStoppedException.BadInput($"DEST {dest} is a file, not a directory");
        }
        if (!destExists)
        {
            var parent = fileSystem.Path.GetDirectoryName(destFull.TrimEnd(fileSystem.Path.DirectorySeparatorChar));
            if (parent is null || !fileSystem.Directory.Exists(parent))
            {
                throw RunStoppedException.BadInput($"DEST {dest} does not exist, and neither does its parent directory");
            }
        }
    }
}
