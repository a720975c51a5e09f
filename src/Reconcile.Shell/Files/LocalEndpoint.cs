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

    /// <summary>
    /// Times to .NET's 100 ns at least (to the nanosecond with the native calls, finer than a <see cref="TimeSpan"/>
    /// tells); renames are atomic; permission bits are kept except on Windows.
    /// </summary>
    public EndpointTraits Traits { get; } = new(TimeSpan.FromTicks(1), AtomicRename: true, PermissionBits: !OperatingSystem.IsWindows());

    /// <summary>Who will own the copies of this tree's files, when not the user running reconcile (see <see cref="TreeScanner.CopiesOwnedBy"/>).</summary>
    public uint? CopiesOwnedBy { get; init; }

    public ScanResult Scan(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries) =>
        new TreeScanner(access) { Entries = entries, CopiesOwnedBy = CopiesOwnedBy }.Scan(Root, excludes, asDest, known);

    public Stream OpenRead(string path) => native
        ? (Stream)new FileStream(NativeFiles.OpenRegularFile(Full(path)), FileAccess.Read, bufferSize: 0)
        : fileSystem.FileStream.New(Full(path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);

    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(Seq<string> paths, Action<long>? hashed) =>
        new ContentHasher(access) { Hashed = hashed }.Hash(Root, paths);

    /// <summary>
    /// The hash of the file at each of these paths (by position), and whether the file at the same path of
    /// <paramref name="other"/> holds the very same bytes (compared, not hashed: its hash is then the same).
    /// For two local trees, this halves the hashing a <c>--checksum</c> run of a mirror does. With
    /// <paramref name="hashWhenSame"/> false, a file whose counterpart holds the same bytes is compared
    /// only, and has no hash.
    /// </summary>
    public (ContentHash?[] Hashes, bool[] SameInOther, IReadOnlyList<string> Problems) HashBeside(
        LocalEndpoint other, IReadOnlyList<string> paths, Action<long>? hashed, bool hashWhenSame) =>
        new ContentHasher(access) { Hashed = hashed }.HashEach(Root, other.Root, paths, hashWhenSame);

    public void Apply(FileAction action, IMirrorEndpoint source, Action<string>? keep)
    {
        RefuseLinks(action, source as LocalEndpoint);
        OpenParents(action);
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
                Rename(Full(move.From), Full(move.To), move.Replaces);
                SetMetaUnlessSame(Full(move.To), move.Meta);
                break;
            case StashFile stash:
                Rename(Full(stash.From), Full(stash.To), replace: false);
                break;
            case TouchFile touch:
                SetMeta(Full(touch.Path), touch.Meta, keepSameSecond: true);
                break;
            case TouchLink touch:
                SetLinkMeta(Full(touch.Path), touch.Meta, keepSameSecond: true);
                break;
            case TouchDirectory touch:
                SetMeta(touch.Path.Length == 0 ? Root : Full(touch.Path), touch.Meta, keepSameSecond: true);
                Forget(touch.Path);
                break;
            case MakeLink link:
                MakeAside(link.Path, link.Replaces, keep, temp =>
                {
                    if (native)
                    {
                        NativeFiles.MakeLink(link.LinkTarget, temp);
                    }
                    else
                    {
                        fileSystem.File.CreateSymbolicLink(temp, link.LinkTarget);
                    }
                    SetLinkMeta(temp, link.Meta);
                });
                break;
            case MakeNode node:
                MakeAside(node.Path, node.Replaces, keep, temp =>
                {
                    if (!native)
                    {
                        throw new IOException($"cannot make {Full(node.Path)}: FIFOs, sockets and devices are made only through the native calls");
                    }
                    NativeFiles.MakeNode(temp, node.Kind, node.Device);
                    SetMeta(temp, node.Meta);
                });
                break;
            case DeleteFile delete when keep is not null:
                keep(delete.Path);
                break;
            case DeleteFile delete:
                DeleteEntry(Full(delete.Path));
                break;
            case MakeDirectory mkdir when native:
                NativeFiles.MakeDirectory(Full(mkdir.Path));
                break;
            case MakeDirectory mkdir:
                fileSystem.Directory.CreateDirectory(Full(mkdir.Path));
                break;
            case RemoveDirectory rmdir when native:
                NativeFiles.RemoveDirectory(Full(rmdir.Path));
                Forget(rmdir.Path);
                break;
            case RemoveDirectory rmdir:
                fileSystem.Directory.Delete(Full(rmdir.Path), recursive: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
    }

    /// <summary>
    /// Directories of this tree whose bits forbid their owner to write or enter them, opened (owner write
    /// and search added) while a run that is not root changes their entries, with the bits they had. A
    /// directory's own metadata is set after its entries (<see cref="TouchDirectory"/>), which closes it
    /// again; <see cref="CloseOpenedDirectories"/> closes what is still open when the run ends. As rsync
    /// does: root may write any directory, anyone else only one whose bits let them.
    /// </summary>
    private readonly Dictionary<string, int> opened = new(StringComparer.Ordinal);

    private uint? effectiveUser;

    private const int OwnerWriteAndSearch = 0b011_000_000;

    private void OpenParents(FileAction action)
    {
        if (!native || !action.ChangesParents || (effectiveUser ??= NativeFiles.EffectiveUser) == 0)
        {
            return;
        }
        foreach (var path in action.Touches)
        {
            var parent = FileTrees.Parent(path);
            var full = parent.Length == 0 ? Root : Full(parent);
            lock (opened)
            {
                if (!opened.ContainsKey(parent) && NativeFiles.TryStat(full, out var stat) && stat.IsDirectory
                    && stat.Owner == effectiveUser && (stat.Mode & OwnerWriteAndSearch) != OwnerWriteAndSearch)
                {
                    NativeFiles.SetMode(full, stat.Mode | OwnerWriteAndSearch);
                    opened[parent] = stat.Mode;
                }
            }
        }
    }

    private void Forget(string directory)
    {
        lock (opened)
        {
            opened.Remove(directory);
        }
    }

    /// <summary>Gives each directory still opened for writing its bits back (when actions failed before its own metadata was set).</summary>
    public void CloseOpenedDirectories()
    {
        lock (opened)
        {
            foreach (var (directory, mode) in opened)
            {
                var full = directory.Length == 0 ? Root : Full(directory);
                try
                {
                    if (NativeFiles.TryStat(full, out var stat) && stat.IsDirectory)
                    {
                        NativeFiles.SetMode(full, mode);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left open: the next run finds its bits differ from SOURCE's and sets them.
                }
            }
            opened.Clear();
        }
    }

    /// <summary>
    /// The finest difference of modification times the root's file system keeps, found by giving a
    /// temporary file an odd second and a nanosecond time and reading it back (the root's own time is
    /// set back afterwards). 100 ns when the root cannot be written or the native calls are not there.
    /// </summary>
    public TimeSpan ProbeTimeResolution()
    {
        const long probe = 1_600_000_001L * FileTime.NanosPerSecond + 123_456_789;
        if (!native || !NativeFiles.TryStat(Root, out var before) || !before.IsDirectory)
        {
            return TimeSpan.FromTicks(1);
        }
        var temp = fileSystem.Path.Combine(Root, TemporaryName.New());
        try
        {
            using (fileSystem.File.Create(temp))
            {
            }
            NativeFiles.SetMeta(temp, new FileMeta(probe, 0b110_000_000), isLink: false);
            if (!NativeFiles.TryStat(temp, out var kept))
            {
                return TimeSpan.FromTicks(1);
            }
            // An odd second lost: times kept to 2 seconds (FAT). Else what of the nanoseconds was lost.
            return FileTime.Seconds(kept.ModifiedNs) != FileTime.Seconds(probe)
                ? TimeSpan.FromSeconds(2)
                : TimeSpan.FromTicks(Math.Max(1, Math.Abs(kept.ModifiedNs - probe) / 100));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TimeSpan.FromTicks(1);
        }
        finally
        {
            if (NativeFiles.TryStat(temp, out _))
            {
                fileSystem.File.Delete(temp);
            }
            try
            {
                NativeFiles.SetMeta(Root, new FileMeta(before.ModifiedNs, before.Mode), isLink: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A root whose time cannot be set back is one the run could not write either.
            }
        }
    }

    /// <summary>The full local path of a relative one.</summary>
    internal string Full(string relative) =>
        fileSystem.Path.Combine(Root, relative.Replace('/', fileSystem.Path.DirectorySeparatorChar));

    /// <summary>
    /// A link or node for <paramref name="path"/>: made under a temporary name beside it with its metadata,
    /// then renamed into place (over the obsolete entry it replaces, which is handed to <paramref name="keep"/> first).
    /// </summary>
    private void MakeAside(string path, bool replace, Action<string>? keep, Action<string> make)
    {
        var target = Full(path);
        var temp = fileSystem.Path.Combine(fileSystem.Path.GetDirectoryName(target) ?? Root, TemporaryName.New());
        try
        {
            make(temp);
            KillPoint.Step();
            if (replace)
            {
                keep?.Invoke(path);
            }
            Rename(temp, target, replace);
        }
        catch
        {
            if (EntryExists(temp))
            {
                DeleteEntry(temp);
            }
            throw;
        }
    }

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
            if (EntryExists(temp))
            {
                DeleteEntry(temp);
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
                var (copied, time) = NativeFiles.CopyNew(fromFull, temp, meta);
                return (copied, time);
            }
            fileSystem.File.Copy(fromFull, temp, overwrite: false);
            SetMeta(temp, meta);
            return (fileSystem.FileInfo.New(temp).Length, fileSystem.File.GetLastWriteTimeUtc(fromFull));
        }
        long written;
        using (var input = from.OpenRead(fromPath))
        using (Stream output = native
            ? new FileStream(NativeFiles.CreateNew(temp), FileAccess.Write, 1 << 16)
            : fileSystem.FileStream.New(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
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
            case TouchDirectory touch when touch.Path.Length > 0:
                NoLinkOnTheWay(touch.Path, leaf: true);
                break;
            case MakeLink or MakeNode:
                NoLinkOnTheWay(action.Touches[0], leaf: false);
                break;
            case TouchLink touch:
                NoLinkOnTheWay(touch.Path, leaf: false);
                if (!IsLink(Full(touch.Path)))
                {
                    throw new IOException($"{Full(touch.Path)} is no longer a symbolic link (it changed after the scan)");
                }
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
            if (IsLink(current))
            {
                throw new IOException($"{current} is a symbolic link (it appeared after the scan); not followed");
            }
        }
    }

    /// <summary>
    /// Renames an entry; without <paramref name="replace"/>, never over an existing one. With the native
    /// calls, by the names' bytes: where the file system cannot refuse atomically, the target is checked
    /// first and the entry renamed over nothing.
    /// </summary>
    private void Rename(string from, string to, bool replace)
    {
        if (!native)
        {
            fileSystem.File.Move(from, to, replace);
            return;
        }
        if (NativeFiles.TryRename(from, to, replace))
        {
            return;
        }
        if (!replace && NativeFiles.TryStat(to, out _))
        {
            throw new IOException($"cannot move {from} to {to}: the target exists");
        }
        if (!NativeFiles.TryRename(from, to, replace: true))
        {
            throw new IOException($"cannot move {from} to {to}: renameat2 is not available");
        }
    }

    private bool EntryExists(string path) => native ? NativeFiles.TryStat(path, out _) : fileSystem.File.Exists(path);

    private void DeleteEntry(string path)
    {
        if (native)
        {
            NativeFiles.Delete(path);
        }
        else
        {
            fileSystem.File.Delete(path);
        }
    }

    private bool IsLink(string path) =>
        native ? NativeFiles.TryStat(path, out var stat) && stat.IsLink : fileSystem.FileInfo.New(path).LinkTarget is not null;

    /// <summary>
    /// A renamed file mostly keeps its metadata: one look at it spares the writes (each a change of the
    /// file's inode, logged by the file system) when it is already right.
    /// </summary>
    private void SetMetaUnlessSame(string path, FileMeta meta)
    {
        if (native && NativeFiles.TryStat(path, out var now) && !now.IsLink && !now.IsDirectory
            && now.ModifiedNs == meta.ModifiedNs && now.Mode == meta.Mode
            && (meta.Owner == FileMeta.NoOwner || now.Owner == meta.Owner) && (meta.Group == FileMeta.NoOwner || now.Group == meta.Group))
        {
            return;
        }
        SetMeta(path, meta);
    }

    /// <summary>
    /// Owner (when kept), permission bits and time of an entry that is not a link (checked before); with
    /// <paramref name="keepSameSecond"/>, a time already in the same whole second is left as rsync leaves it.
    /// </summary>
    private void SetMeta(string path, FileMeta meta, bool keepSameSecond = false)
    {
        if (native)
        {
            NativeFiles.SetMeta(path, meta, isLink: false, keepSameSecond);
            return;
        }
        PermissionBits.Write(path, meta.Mode);
        if (fileSystem.Directory.Exists(path))
        {
            fileSystem.Directory.SetLastWriteTimeUtc(path, meta.ModifiedUtc);
        }
        else
        {
            fileSystem.File.SetLastWriteTimeUtc(path, meta.ModifiedUtc);
        }
    }

    /// <summary>Owner and time of the link itself; through the abstraction, which can set neither without following it, nothing.</summary>
    private void SetLinkMeta(string path, FileMeta meta, bool keepSameSecond = false)
    {
        if (native)
        {
            NativeFiles.SetMeta(path, meta, isLink: true, keepSameSecond);
        }
    }
}

/// <summary>A source file that changed between planning and copying.</summary>
public sealed class FileChangedException(string message) : IOException(message);
