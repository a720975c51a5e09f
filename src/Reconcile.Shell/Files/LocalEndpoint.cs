using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// A directory of the local file system as a mirror endpoint. New bytes are written to a temporary file
/// beside their target and renamed into place, so a file never appears half-written under its final
/// name. With <see cref="LocalAccess.Native"/>, files are listed, copied and renamed by the Linux calls of
/// <see cref="NativeFiles"/>; otherwise everything goes through <see cref="System.IO.Abstractions.IFileSystem"/>.
///
/// The plan was made from a scan, and either tree may have changed since. Before each action the path
/// it touches is checked: no directory on the way (on either side) and no file read or whose metadata
/// is set may be a symbolic link, so nothing is read or written through a link that appeared after the
/// scan. This closes the gap between planning and execution; it cannot close the microseconds between
/// the check and the system call against a process racing on purpose (that would need openat2 with
/// RESOLVE_NO_SYMLINKS, which .NET does not expose).
/// </summary>
public sealed class LocalEndpoint(LocalAccess access, string root) : IMirrorEndpoint
{
    private readonly System.IO.Abstractions.IFileSystem fileSystem = access.FileSystem;
    private readonly bool native = access.Native;

    public string Root { get; } = root;

    /// <summary>Times to .NET's 100 ns; renames are atomic; permission bits are kept except on Windows.</summary>
    public EndpointTraits Traits { get; } = new(TimeSpan.FromTicks(1), AtomicRename: true, PermissionBits: !OperatingSystem.IsWindows());

    public ScanResult Scan(IReadOnlyList<PathGlob> excludes, bool linksAsEntries, HashCache? known, Action<int>? entries) =>
        new TreeScanner(access) { Entries = entries }.Scan(Root, excludes, linksAsEntries, known);

    public Stream OpenRead(string path) =>
        fileSystem.FileStream.New(Full(path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);

    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(Seq<string> paths, Action<long>? hashed) =>
        new ContentHasher(access) { Hashed = hashed }.Hash(Root, paths);

    /// <summary>
    /// The hashes of the files at these paths, and which files at the same paths of <paramref name="other"/>
    /// hold the very same bytes (compared, not hashed: their hash is then the same). For two local trees,
    /// this halves the hashing a <c>--checksum</c> run of a mirror does.
    /// </summary>
    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlySet<string> SameInOther, IReadOnlyList<string> Problems) HashComparing(
        LocalEndpoint other, Seq<string> paths, Action<long>? hashed) =>
        new ContentHasher(access) { Hashed = hashed }.HashComparing(Root, other.Root, paths);

    public void Apply(FileAction action, IMirrorEndpoint source, Action<string>? keep)
    {
        RefuseLinks(action, source as LocalEndpoint);
        switch (action)
        {
            case CopyFile copy:
                Transfer(source, copy.Path, copy.Path, copy.Bytes, copy.Meta, replace: false, keep);
                break;
            case UpdateFile update:
                Transfer(source, update.Path, update.Path, update.Bytes, update.Meta, replace: true, keep);
                break;
            case CopyLocal local:
                Transfer(this, local.From, local.To, expectedBytes: null, local.Meta, local.Replaces, keep);
                break;
            case MoveFile move:
                if (move.Replaces)
                {
                    keep?.Invoke(move.To);
                }
                fileSystem.File.Move(Full(move.From), Full(move.To), move.Replaces);
                SetMetaUnlessSame(Full(move.To), move.Meta);
                break;
            case StashFile stash:
                fileSystem.File.Move(Full(stash.From), Full(stash.To), false);
                break;
            case TouchFile touch:
                SetMeta(Full(touch.Path), touch.Meta);
                break;
            case DeleteFile delete when keep is not null:
                keep(delete.Path);
                break;
            case DeleteFile delete:
                fileSystem.File.Delete(Full(delete.Path));
                break;
            case MakeDirectory mkdir:
                fileSystem.Directory.CreateDirectory(Full(mkdir.Path));
                break;
            case RemoveDirectory rmdir:
                fileSystem.Directory.Delete(Full(rmdir.Path), recursive: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
    }

    /// <summary>The full local path of a relative one.</summary>
    internal string Full(string relative) =>
        fileSystem.Path.Combine(Root, relative.Replace('/', fileSystem.Path.DirectorySeparatorChar));

    /// <summary>New bytes for <paramref name="to"/>: into a temporary file beside it, checked, then renamed into place.</summary>
    private void Transfer(IMirrorEndpoint from, string fromPath, string to, long? expectedBytes, FileMeta meta, bool replace, Action<string>? keep)
    {
        var target = Full(to);
        var temp = fileSystem.Path.Combine(fileSystem.Path.GetDirectoryName(target) ?? Root, TemporaryName.New());
        try
        {
            var (written, sourceTime) = WriteNew(from, fromPath, temp, meta);
            if (expectedBytes is { } expected && written != expected)
            {
                throw new FileChangedException($"{Describe(from, fromPath)} changed while it was copied ({expected} bytes planned, {written} copied)");
            }
            if (expectedBytes is not null && sourceTime is { } time && time != meta.ModifiedUtc)
            {
                throw new FileChangedException($"{Describe(from, fromPath)} changed while it was copied (modified since the scan)");
            }
            KillPoint.Step();
            if (replace)
            {
                keep?.Invoke(to);
            }
            Rename(temp, target, replace);
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

    /// <summary>
    /// Writes a new file at <paramref name="temp"/> with the bytes of the source file and the planned time
    /// and permission bits; the bytes written and the source's time after writing (null when the source
    /// cannot tell it).
    /// </summary>
    private (long Written, DateTime? SourceTime) WriteNew(IMirrorEndpoint from, string fromPath, string temp, FileMeta meta)
    {
        if (from is LocalEndpoint local)
        {
            var fromFull = local.Full(fromPath);
            if (native)
            {
                var (copied, time) = NativeFiles.CopyNew(fromFull, temp, meta.Mode, meta.ModifiedUtc);
                return (copied, time);
            }
            fileSystem.File.Copy(fromFull, temp, overwrite: false);
            SetMeta(temp, meta);
            return (fileSystem.FileInfo.New(temp).Length, fileSystem.File.GetLastWriteTimeUtc(fromFull));
        }
        long written;
        using (var input = from.OpenRead(fromPath))
        using (var output = fileSystem.FileStream.New(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            input.CopyTo(output, 1 << 16);
            written = output.Length;
        }
        SetMeta(temp, meta);
        return (written, null);
    }

    private static string Describe(IMirrorEndpoint endpoint, string path) =>
        endpoint is LocalEndpoint local ? local.Full(path) : endpoint.Root + "/" + path;

    private void RefuseLinks(FileAction action, LocalEndpoint? source)
    {
        switch (action)
        {
            case CopyFile or UpdateFile:
                source?.NoLinkOnTheWay(action.Target, leaf: true);
                NoLinkOnTheWay(action.Target, leaf: false);
                break;
            case CopyLocal local:
                NoLinkOnTheWay(local.From, leaf: true);
                NoLinkOnTheWay(local.To, leaf: false);
                break;
            case MoveFile move:
                NoLinkOnTheWay(move.From, leaf: true);
                NoLinkOnTheWay(move.To, leaf: false);
                break;
            case StashFile stash:
                NoLinkOnTheWay(stash.From, leaf: false);
                NoLinkOnTheWay(stash.To, leaf: false);
                break;
            case DeleteFile delete:
                // Removing a link removes the link itself, never its target.
                NoLinkOnTheWay(delete.Path, leaf: false);
                break;
            case TouchFile or MakeDirectory or RemoveDirectory:
                NoLinkOnTheWay(action.Target, leaf: true);
                break;
        }
    }

    private void NoLinkOnTheWay(string relative, bool leaf)
    {
        var parts = relative.Split('/');
        var current = Root;
        var count = leaf ? parts.Length : parts.Length - 1;
        for (var i = 0; i < count; i++)
        {
            current = fileSystem.Path.Combine(current, parts[i]);
            if (fileSystem.FileInfo.New(current).LinkTarget is not null)
            {
                throw new IOException($"{current} is a symbolic link (it appeared after the scan); not followed");
            }
        }
    }

    private void Rename(string from, string to, bool replace)
    {
        if (!native || !NativeFiles.TryRename(from, to, replace))
        {
            fileSystem.File.Move(from, to, replace);
        }
    }

    /// <summary>
    /// A renamed file mostly keeps its time and permission bits: one look at them spares the two writes
    /// (each a change of the file's inode, logged by the file system) when they are already right.
    /// </summary>
    private void SetMetaUnlessSame(string path, FileMeta meta)
    {
        if (native && NativeFiles.TryStat(path, out var now) && !now.IsLink && !now.IsDirectory
            && now.ModifiedUtc == meta.ModifiedUtc && now.Mode == meta.Mode)
        {
            return;
        }
        SetMeta(path, meta);
    }

    private void SetMeta(string path, FileMeta meta)
    {
        PermissionBits.Write(path, meta.Mode);
        fileSystem.File.SetLastWriteTimeUtc(path, meta.ModifiedUtc);
    }
}

/// <summary>A source file that changed between planning and copying.</summary>
public sealed class FileChangedException(string message) : IOException(message);
