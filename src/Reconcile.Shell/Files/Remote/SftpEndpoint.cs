using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// A directory on another machine, reached over SFTP, as a mirror endpoint. Where the server allows
/// commands and has perl, new files, renames, bits and times and deletions go through the
/// <see cref="HostFileChannel"/> instead (the same steps, without SFTP's round trips). Directories are listed with
/// their entries' attributes (one request per directory, several directories in flight at once). New
/// bytes go to a temporary name beside their target, get their time and permission bits, and are renamed
/// into place with <c>posix-rename@openssh.com</c> (an atomic rename over an obsolete file), so a file is
/// never half-written under its final name, even when the connection drops. SFTP keeps whole seconds of
/// modification time, so <see cref="Traits"/> says so and the quick check compares at that resolution.
///
/// Links are never followed. A listing reports a link as a link (find -P, and the server's readdir,
/// do not follow it). SSH.NET resolves every path it is given with the server's REALPATH, which follows
/// a link at its end: removing, renaming or writing over a DEST link through it would reach the link's
/// target. So the links the scan found are removed, moved to the backup or replaced only through
/// commands on the host (<c>rm</c>, <c>mv</c>, which act on the link itself), and refused on an
/// SFTP-only account. (A link made after the scan, at a path the plan then touches, is not seen: that
/// window is as wide as the run.) Links are listed with their targets and made again as links
/// (<c>ln -s</c> on the host); owners are not kept.
/// </summary>
public sealed class SftpEndpoint : IMirrorEndpoint, IDisposable
{
    /// <summary>Directories listed at once during a scan: each listing waits on the network, not the CPU.</summary>
    private const int ListingsInFlight = 8;

    private readonly SshConnection connection;
    private readonly string rootPath;
    private bool posixRename = true;

    /// <summary>The links (and special files) the last scan found, as relative paths: SFTP calls must never be given one.</summary>
    private System.Collections.Generic.HashSet<string> linksFound = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);

    /// <summary>The files the last scan found, for the sizes a hash on the host reports as done.</summary>
    private IReadOnlyDictionary<string, FileEntry> filesFound = new Dictionary<string, FileEntry>(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedHash> sent = new(StringComparer.Ordinal);

    private SftpEndpoint(SshConnection connection, string rootPath)
    {
        this.connection = connection;
        this.rootPath = rootPath;
        Root = UrlOf(connection.User, connection.Host, connection.Port, rootPath);
    }

    /// <summary>The root as <c>sftp://user@host:port/absolute/path</c>: it names the same place on every run, so saved plans, the lock and the hash cache use it.</summary>
    public string Root { get; }

    /// <summary>
    /// The files this endpoint wrote as DEST, by relative path: the size and whole-second time they were
    /// given and the SHA-256 of the bytes as they were sent, for the hash cache.
    /// </summary>
    public IReadOnlyDictionary<string, CachedHash> Sent => sent;

    /// <summary>
    /// <see cref="Sent"/> as the host now lists those files: each with its inode and change time (so the
    /// hash cache vouches for it as for a local file), and only while its size and time are still the
    /// ones sent. Empty where no command runs: SFTP lists whole seconds and no change time, too little to
    /// vouch for content.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, CachedHash>> SentAsListed() => Remote(() =>
    {
        var found = new List<KeyValuePair<string, CachedHash>>();
        if (sent.IsEmpty || !connection.CommandsAllowed)
        {
            return (IReadOnlyList<KeyValuePair<string, CachedHash>>)found;
        }
        var script = "exec find \"$@\" -maxdepth 0 -printf '%i %C@ %s %T@ %p\\0'";
        var run = connection.Run($"cd -- {Quote(rootPath)} && LC_ALL=C exec xargs -0 -r sh -c {Quote(script)} sh", NulSeparated(sent.Keys, "./"));
        foreach (var record in run?.Output.Split('\0') ?? [])
        {
            var fields = record.Split(' ', 5);
            if (fields.Length == 5 && fields[4].StartsWith("./", StringComparison.Ordinal)
                && sent.TryGetValue(fields[4][2..], out var cached)
                && ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                && TryParseTime(fields[1], out var changeNs) && TryParseTime(fields[3], out var modifiedNs)
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                && size == cached.Size && FileTime.ToDateTime(modifiedNs).Ticks == cached.ModifiedTicks)
            {
                found.Add(new(fields[4][2..], cached with { Inode = inode, ChangeNanoseconds = changeNs }));
            }
        }
        return found;
    });

    /// <summary>The absolute path of the root on the remote host.</summary>
    public string RootPath => rootPath;

    public string User => connection.User;

    public string Host => connection.Host;

    public int Port => connection.Port;

    /// <summary>
    /// SFTP (version 3) sets modification times in whole seconds (find may list finer ones, but a copy
    /// gets whole seconds); renames are atomic with posix-rename;
    /// permission bits are kept. Each action is a few round trips, so several run at once on the one
    /// connection (the server answers requests in order, but the network and encryption overlap).
    /// </summary>
    public EndpointTraits Traits => new(TimeSpan.FromSeconds(1), AtomicRename: posixRename, PermissionBits: true, ActionsInFlight: ActionsInFlight);

    private const int ActionsInFlight = 16;

    /// <summary>The endpoint for a remote root over a connection; its path is made absolute (relative paths start at the login's home).</summary>
    public static SftpEndpoint Open(SshConnection connection, string path) =>
        new(connection, AbsoluteOn(connection, path));

    /// <summary>A path on the host made absolute: relative paths start at the login's home.</summary>
    public string Absolute(string path) => AbsoluteOn(connection, path);

    private static string AbsoluteOn(SshConnection connection, string path) =>
        Normalize(path.StartsWith('/') ? path : connection.Sftp.WorkingDirectory.TrimEnd('/') + "/" + path);

    public static string UrlOf(string user, string host, int port, string path)
    {
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"sftp://{Uri.EscapeDataString(user)}@{hostPart}:{port}{path}");
    }

    /// <summary>An absolute path with <c>.</c>, <c>..</c>, repeated and trailing slashes resolved (as names, not links).</summary>
    internal static string Normalize(string absolute)
    {
        var parts = new List<string>();
        foreach (var part in absolute.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>The remote path of a relative one (<c>/</c> separators), or of the root for "".</summary>
    public string Full(string relative) =>
        relative.Length == 0 ? rootPath : rootPath == "/" ? "/" + relative : rootPath + "/" + relative;

    /// <summary>What is at an absolute remote path, links not followed: null when nothing is.</summary>
    public SftpFileAttributes? Look(string absolute) => Remote(() =>
    {
        try
        {
            return connection.Sftp.GetAttributes(absolute);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    });

    /// <summary>Creates the root directory (its parent must exist).</summary>
    public void CreateRoot() => Remote(() => connection.Sftp.CreateDirectory(rootPath));

    public ScanResult Scan(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries)
    {
        var scan = (connection.CommandsAllowed ? Remote(() => ScanWithFind(excludes, asDest, known, entries)) : null)
            ?? ScanOverSftp(excludes, asDest, known, entries);
        linksFound = new System.Collections.Generic.HashSet<string>(
            scan.Tree.Files.Where(f => !f.Value.IsRegular).Select(f => f.Key).Concat(scan.Skipped), StringComparer.Ordinal);
        filesFound = scan.Tree.Files;
        return scan;
    }

    /// <summary>
    /// The whole tree in one listing by GNU <c>find</c> on the host (type, size, time to the nanosecond,
    /// permission bits, name and link target of every entry, the root's own included, links not
    /// followed), instead of a request per directory. Null when find cannot list it all (an unreadable
    /// directory, no GNU find): the SFTP walk then names each problem.
    /// </summary>
    private ScanResult? ScanWithFind(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries)
    {
        // The listing is read as find writes it: each entry is taken in while the host lists the next.
        var tree = new TreeBuilder(excludes, asDest, known, asDest ? null : SetIdKeptFor());
        var count = 0;
        var readable = true;
        var exit = connection.RunReading($"cd -- {Quote(rootPath)} && LC_ALL=C find . -printf '%y %s %T@ %m %U %i %C@ %P\\0%l\\0'", output =>
        {
            // Each entry is two NUL-ended fields: "%y %s %T@ %m %U %i %C@ %P" (the path may hold spaces) and its link target.
            string? pending = null;
            foreach (var record in NulEndedRecords(output))
            {
                if (pending is null)
                {
                    pending = record;
                    continue;
                }
                var (described, target) = (pending, record);
                pending = null;
                var fields = described.Split(' ', 8);
                if (!readable || fields.Length < 8 || fields[0].Length != 1 || !TryParseTime(fields[2], out var modifiedNs) || !TryParseTime(fields[6], out var changeNs)
                    || !uint.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                    || !ulong.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                {
                    readable = false;
                    continue;
                }
                count++;
                var size = long.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
                var mode = Convert.ToInt32(fields[3], 8) & 0b111_111_111_111;
                tree.Add(fields[7], fields[0][0], size, modifiedNs, mode, owner, new Inode(inode, changeNs), () => target);
            }
            readable &= pending is null;
        });
        StageClock.Mark("remote: listed by find");
        if (exit != 0 || !readable)
        {
            return null;
        }
        entries?.Invoke(count);
        return tree.Result([]);
    }

    /// <summary>The NUL-ended records of a stream, as UTF-8 text, each as soon as its NUL has come (bytes after the last NUL are no record).</summary>
    internal static IEnumerable<string> NulEndedRecords(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        int read;
        while ((read = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
            var start = 0;
            int end;
            while ((end = Array.IndexOf(buffer, (byte)0, start, filled - start)) >= 0)
            {
                yield return Encoding.UTF8.GetString(buffer, start, end - start);
                start = end + 1;
            }
            // What is left is the start of a record: kept at the front, in a bigger buffer when it fills this one.
            Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
            filled -= start;
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    /// <summary>find's <c>%T@</c>, "seconds.fraction", as nanoseconds since the epoch.</summary>
    internal static bool TryParseTime(string text, out long ns)
    {
        ns = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var wholePart = dot >= 0 ? text[..dot] : text;
        if (!long.TryParse(wholePart, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        var fraction = dot >= 0 ? text[(dot + 1)..] : "";
        fraction = fraction.Length >= 9 ? fraction[..9] : fraction.PadRight(9, '0');
        if (!long.TryParse(fraction, NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            return false;
        }
        ns = (seconds * FileTime.NanosPerSecond) + (text.StartsWith('-') ? -nanos : nanos);
        return true;
    }

    /// <summary>
    /// A remote tree as it is listed: files, links (with their targets), FIFOs, sockets and devices as
    /// entries, directories with their bits and time (<c>""</c> the root). Owners are not kept over SFTP,
    /// so every entry has <see cref="FileMeta.NoOwner"/>. A device's numbers are not listed: in SOURCE a
    /// device is skipped; in DEST it is an entry (number 0) that a SOURCE device replaces.
    /// </summary>
    private sealed class TreeBuilder(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, uint? login = null)
    {
        /// <summary>setuid and setgid: dropped from a SOURCE file of someone else's, whose copy will not be theirs.</summary>
        private const int SetIdBits = 0b110_000_000_000;

        private readonly Dictionary<string, Inode> inodes = new(StringComparer.Ordinal);
        private int ownedByOthers;

        private readonly Dictionary<string, FileEntry> files = new(StringComparer.Ordinal);
        private readonly System.Collections.Generic.HashSet<string> dirs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, FileMeta> directoryMeta = new(StringComparer.Ordinal);
        private readonly System.Collections.Generic.HashSet<string> pinned = new(StringComparer.Ordinal);
        private readonly System.Collections.Generic.HashSet<string> excluded = new(StringComparer.Ordinal);
        private readonly List<string> skipped = [];

        public System.Collections.Generic.HashSet<string> Unreadable { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// One entry: <paramref name="type"/> is find's <c>%y</c> letter (d, f, l, p, s, c, b);
        /// <paramref name="linkTarget"/> is asked only for a link. <paramref name="inode"/> (number and
        /// change time, from find) lets the hash cache vouch for a file as it does for a local one;
        /// without it (over SFTP) the cache vouches for nothing during the scan.
        /// </summary>
        public void Add(string path, char type, long size, long modifiedNs, int mode, uint owner, Inode? inode, Func<string> linkTarget)
        {
            if (login is { } user && owner != user && path.Length > 0)
            {
                // A remote SOURCE's copies belong to this run's user, never to the file's owner, so
                // another user's setuid or setgid program is not made one of this user's (as rsync
                // drops those bits when it cannot keep the owner).
                ownedByOthers++;
                if (type != 'd')
                {
                    mode &= ~SetIdBits;
                }
            }
            if (path.Length == 0)
            {
                if (type == 'd')
                {
                    directoryMeta[""] = new FileMeta(modifiedNs, mode);
                }
                return;
            }
            var parent = FileTrees.Parent(path);
            if (parent.Length > 0 && excluded.Contains(parent))
            {
                if (type == 'd')
                {
                    excluded.Add(path);
                }
                return;
            }
            if (PathGlob.AnyMatches(excludes, path, type == 'd'))
            {
                if (parent.Length > 0)
                {
                    pinned.Add(parent);
                }
                if (type == 'd')
                {
                    excluded.Add(path);
                }
                return;
            }
            switch (type)
            {
                case 'd':
                    dirs.Add(path);
                    directoryMeta[path] = new FileMeta(modifiedNs, mode);
                    break;
                case 'f':
                    ContentHash? hash = known is not null && inode is not null && size > 0
                        && known.TryGet(path, size, FileTime.ToDateTime(modifiedNs).Ticks, inode.Number, inode.ChangeNanoseconds, out var cached) ? cached : null;
                    files[path] = new FileEntry(size, modifiedNs, mode, hash);
                    if (inode is not null)
                    {
                        inodes[path] = inode;
                    }
                    break;
                case 'l':
                    files[path] = FileEntry.Link(linkTarget(), modifiedNs);
                    break;
                case 'p':
                    files[path] = new FileEntry(0, modifiedNs, mode, Kind: EntryKind.Fifo);
                    break;
                case 's':
                    files[path] = new FileEntry(0, modifiedNs, mode, Kind: EntryKind.Socket);
                    break;
                case 'c' or 'b' when asDest:
                    files[path] = new FileEntry(0, modifiedNs, mode, Kind: type == 'c' ? EntryKind.CharDevice : EntryKind.BlockDevice);
                    break;
                default:
                    skipped.Add(path);
                    break;
            }
        }

        /// <summary>A directory that could not be listed: what the other side has under it is left alone.</summary>
        public void CannotRead(string path)
        {
            if (path.Length > 0)
            {
                pinned.Add(path);
                Unreadable.Add(path);
            }
        }

        public ScanResult Result(List<string> problems)
        {
            skipped.Sort(StringComparer.Ordinal);
            return new ScanResult(new FileTree(files, dirs, pinned) { DirectoryMeta = directoryMeta }, skipped, problems, inodes)
            {
                Unreadable = Unreadable,
                OwnedByOthers = ownedByOthers,
            };
        }
    }

    private ScanResult ScanOverSftp(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries)
    {
        var tree = new TreeBuilder(excludes, asDest, known, asDest ? null : SetIdKeptFor());
        var problems = new List<string>();
        var root = Look(rootPath);
        if (root is { IsDirectory: true })
        {
            tree.Add("", 'd', 0, SecondsOf(root), ModeOf(root), (uint)root.UserId, null, () => "");
        }
        // A level of directories at a time, several listed at once; each level is merged in order.
        var level = new List<string> { "" };
        while (level.Count > 0)
        {
            var listed = new (List<ISftpFile>? Children, string? Error)[level.Count];
            Workers.For(0, level.Count, Math.Min(ListingsInFlight, level.Count), i => listed[i] = List(level[i]));
            var next = new List<string>();
            for (var i = 0; i < level.Count; i++)
            {
                var relative = level[i];
                var (children, error) = listed[i];
                if (children is null)
                {
                    problems.Add($"{Full(relative)}: cannot read directory: {error}");
                    tree.CannotRead(relative);
                    continue;
                }
                entries?.Invoke(children.Count);
                foreach (var child in children)
                {
                    var path = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
                    var a = child.Attributes;
                    var type = a.IsDirectory ? 'd' : a.IsRegularFile ? 'f' : a.IsSymbolicLink ? 'l' : a.IsNamedPipe ? 'p' : a.IsSocket ? 's' : a.IsCharacterDevice ? 'c' : a.IsBlockDevice ? 'b' : '?';
                    tree.Add(path, type, a.Size, SecondsOf(a), ModeOf(a), (uint)a.UserId, null, () => ReadLink(path));
                    if (a.IsDirectory && !PathGlob.AnyMatches(excludes, path, true))
                    {
                        next.Add(path);
                    }
                }
            }
            next.Sort(StringComparer.Ordinal);
            level = next;
        }
        return tree.Result(problems);
    }

    /// <summary>
    /// The one owner whose SOURCE files keep their setuid and setgid bits: the login, unless this run is
    /// root and the login is not (the copies would be root's); (uint)-1, no user, then. Null when the
    /// login's user cannot be told.
    /// </summary>
    private uint? SetIdKeptFor() =>
        LoginUser() is not { } login ? null
        : OperatingSystem.IsLinux() && login != 0 && NativeFiles.EffectiveUser == 0 ? uint.MaxValue
        : login;

    /// <summary>
    /// The login's user id: the owner of its home directory (SFTP names no user; the login starts there).
    /// Null when that cannot be read: then no bits are dropped.
    /// </summary>
    private uint? LoginUser()
    {
        try
        {
            return (uint)connection.Sftp.GetAttributes(connection.Sftp.WorkingDirectory).UserId;
        }
        catch (Exception e) when (e is SftpPathNotFoundException or SftpPermissionDeniedException)
        {
            return null;
        }
    }

    /// <summary>SFTP (version 3) carries whole seconds.</summary>
    private static long SecondsOf(SftpFileAttributes a) => FileTime.FromDateTime(WholeSeconds(a.LastWriteTimeUtc));

    /// <summary>
    /// A link's target, verbatim, by <c>readlink</c> on the host. SSH.NET has no public READLINK, and its
    /// path handling would resolve the target; on an SFTP-only account the target cannot be read, and the
    /// link is listed with an empty one (so a SOURCE link is made again, which is refused there).
    /// </summary>
    private string ReadLink(string relative)
    {
        if (!connection.CommandsAllowed || connection.Run($"readlink -z -- {Quote(Full(relative))}") is not { ExitCode: 0 } read)
        {
            return "";
        }
        return read.Output.TrimEnd('\0');
    }

    private (List<ISftpFile>? Children, string? Error) List(string relative)
    {
        try
        {
            var children = connection.Sftp.ListDirectory(Full(relative))
                .Where(f => f.Name is not "." and not "..")
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            return (children, null);
        }
        catch (Exception e) when (e is SftpPermissionDeniedException or SftpPathNotFoundException)
        {
            return (null, e.Message);
        }
        catch (Exception e) when (IsConnectionFault(e))
        {
            throw Lost(e);
        }
    }

    /// <summary>The permission bits of SFTP attributes (setuid, setgid and sticky included).</summary>
    internal static int ModeOf(SftpFileAttributes a) =>
        (a.IsUIDBitSet ? 0b100_000_000_000 : 0) | (a.IsGroupIDBitSet ? 0b010_000_000_000 : 0) | (a.IsStickyBitSet ? 0b001_000_000_000 : 0)
        | (a.OwnerCanRead ? 0b100_000_000 : 0) | (a.OwnerCanWrite ? 0b010_000_000 : 0) | (a.OwnerCanExecute ? 0b001_000_000 : 0)
        | (a.GroupCanRead ? 0b100_000 : 0) | (a.GroupCanWrite ? 0b010_000 : 0) | (a.GroupCanExecute ? 0b001_000 : 0)
        | (a.OthersCanRead ? 0b100 : 0) | (a.OthersCanWrite ? 0b010 : 0) | (a.OthersCanExecute ? 0b001 : 0);

    private static void SetMode(SftpFileAttributes a, int mode)
    {
        a.IsUIDBitSet = (mode & 0b100_000_000_000) != 0;
        a.IsGroupIDBitSet = (mode & 0b010_000_000_000) != 0;
        a.IsStickyBitSet = (mode & 0b001_000_000_000) != 0;
        a.OwnerCanRead = (mode & 0b100_000_000) != 0;
        a.OwnerCanWrite = (mode & 0b010_000_000) != 0;
        a.OwnerCanExecute = (mode & 0b001_000_000) != 0;
        a.GroupCanRead = (mode & 0b100_000) != 0;
        a.GroupCanWrite = (mode & 0b010_000) != 0;
        a.GroupCanExecute = (mode & 0b001_000) != 0;
        a.OthersCanRead = (mode & 0b100) != 0;
        a.OthersCanWrite = (mode & 0b010) != 0;
        a.OthersCanExecute = (mode & 0b001) != 0;
    }

    public Stream OpenRead(string path) => Remote(() => (Stream)connection.Sftp.OpenRead(Full(path)));

    public void Apply(FileAction action, IMirrorEndpoint source, Action<string>? keep) => Remote(() =>
    {
        switch (action)
        {
            case CopyFile copy:
                Transfer(source, copy.Path, copy.Path, copy.Bytes, copy.Meta, replace: false, keep, copy);
                break;
            case UpdateFile update:
                Transfer(source, update.Path, update.Path, update.Bytes, update.Meta, replace: true, keep, update);
                break;
            case CopyLocal local:
                CopyInside(local, keep);
                break;
            case MoveFile move:
                NoLink(move.From);
                if (move.Replaces)
                {
                    keep?.Invoke(move.To);
                }
                RemoveIfLink(move.To);
                // Not waited for (see MirrorRunner's runs of moves) unless a backup was taken first.
                Rename(Full(move.From), Full(move.To), later: keep is null ? move : null);
                if (!ScannedWith(move.From, move.Meta))
                {
                    SetMeta(Full(move.To), move.Meta, unlessSame: true, later: keep is null ? move : null);
                }
                break;
            case StashFile stash:
                NoLink(stash.From);
                Rename(Full(stash.From), Full(stash.To), later: stash);
                break;
            case TouchFile touch:
                NoLink(touch.Path);
                SetMeta(Full(touch.Path), touch.Meta, unlessSame: false, later: touch);
                break;
            case DeleteFile delete when keep is not null:
                keep(delete.Path);
                break;
            case DeleteFile delete when linksFound.Contains(delete.Path):
                RemoveIfLink(delete.Path);
                break;
            case DeleteFile delete when connection.Files is { } channel:
                channel.Delete(Full(delete.Path), problem => Failed(delete, problem));
                break;
            case DeleteFile delete:
                connection.Sftp.DeleteFile(Full(delete.Path));
                break;
            case MakeLink link:
                MakeLink(link, keep);
                break;
            case TouchLink touch:
                TouchLink(touch.Path, touch.Meta);
                break;
            case MakeNode node:
                MakeNode(node, keep);
                break;
            case TouchDirectory touch:
                SetMeta(Full(touch.Path), touch.Meta, unlessSame: false, later: touch);
                break;
            case MakeDirectory mkdir:
                MakeDirectory(Full(mkdir.Path));
                break;
            case RemoveDirectory rmdir:
                connection.Sftp.DeleteDirectory(Full(rmdir.Path));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
    });

    private void MakeDirectory(string full)
    {
        try
        {
            connection.Sftp.CreateDirectory(full);
        }
        catch (SshException) when (Look(full) is { IsDirectory: true })
        {
            // already there, as a local mkdir -p would leave it
        }
    }

    /// <summary>
    /// A symbolic link made by <c>ln -s</c> on the host, its own time then set by <c>touch -h</c>, beside
    /// its path and renamed into place (<c>mv -T</c>, which moves the link itself). Not over SFTP: SSH.NET
    /// passes a link's target through REALPATH, which would make a relative target absolute (and the
    /// protocol's SYMLINK has its two paths swapped in OpenSSH), so an SFTP-only account refuses it.
    /// </summary>
    private void MakeLink(MakeLink link, Action<string>? keep)
    {
        var temp = Full(TemporaryBeside(link.Path));
        var target = Full(link.Path);
        OnHost(
            $"ln -s -- {Quote(link.LinkTarget)} {Quote(temp)} && touch -h -c -d @{FileTime.Seconds(link.Meta.ModifiedNs).ToString(CultureInfo.InvariantCulture)} -- {Quote(temp)}",
            $"cannot make the symbolic link {target}",
            "symbolic links are made with commands on the host");
        KillPoint.Step();
        if (link.Replaces)
        {
            keep?.Invoke(link.Path);
        }
        OnHost($"mv -f -T -- {Quote(temp)} {Quote(target)} || {{ rm -f -- {Quote(temp)}; exit 1; }}", $"cannot put the symbolic link {target} in place", "symbolic links are made with commands on the host");
    }

    /// <summary>A link's own time, by <c>touch -h</c> on the host (SFTP's setstat would set its target's); whole seconds, as the traits say.</summary>
    private void TouchLink(string relative, FileMeta meta) =>
        OnHost(
            $"touch -h -c -d @{FileTime.Seconds(meta.ModifiedNs).ToString(CultureInfo.InvariantCulture)} -- {Quote(Full(relative))}",
            $"cannot set the time of the symbolic link {Full(relative)}",
            "a link's own time is set with a command on the host");

    /// <summary>
    /// A FIFO or a device, by <c>mknod</c> on the host (devices only when the login is root); SFTP has no
    /// request for either, and a socket cannot be made by a command, so those are refused with the reason.
    /// </summary>
    private void MakeNode(MakeNode node, Action<string>? keep)
    {
        var target = Full(node.Path);
        var what = node.Kind switch
        {
            EntryKind.Fifo => "p",
            EntryKind.CharDevice => "c " + Numbers(node.Device),
            EntryKind.BlockDevice => "b " + Numbers(node.Device),
            _ => null,
        };
        if (what is null)
        {
            throw new IOException($"cannot make the socket {target}: neither SFTP nor a command on the host makes one");
        }
        var temp = Full(TemporaryBeside(node.Path));
        var mode = Convert.ToString(node.Meta.Mode & 0b111_111_111_111, 8);
        OnHost(
            $"mknod -m {mode} -- {Quote(temp)} {what} && touch -c -d @{FileTime.Seconds(node.Meta.ModifiedNs).ToString(CultureInfo.InvariantCulture)} -- {Quote(temp)} || {{ rm -f -- {Quote(temp)}; exit 1; }}",
            $"cannot make {(node.Kind == EntryKind.Fifo ? "the FIFO" : "the device")} {target}{(node.Kind == EntryKind.Fifo ? "" : " (only root can)")}",
            "FIFOs and devices are made with mknod on the host");
        KillPoint.Step();
        if (node.Replaces)
        {
            keep?.Invoke(node.Path);
        }
        OnHost($"mv -f -T -- {Quote(temp)} {Quote(target)} || {{ rm -f -- {Quote(temp)}; exit 1; }}", $"cannot put {target} in place", "FIFOs and devices are made with mknod on the host");
    }

    private static string Numbers(ulong device) =>
        DeviceNumbers.Major(device).ToString(CultureInfo.InvariantCulture) + " " + DeviceNumbers.Minor(device).ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the scan found the file at <paramref name="relative"/> with exactly these bits and this whole-second time: a move of it needs no setstat.</summary>
    private bool ScannedWith(string relative, FileMeta meta) =>
        filesFound.TryGetValue(relative, out var entry) && entry.IsRegular && entry.Mode == meta.Mode
        && entry.ModifiedNs == FileTime.Seconds(meta.ModifiedNs) * FileTime.NanosPerSecond;

    /// <summary>Refuses to read, rename or change a path the scan found to be a link, so that its target is never touched.</summary>
    private void NoLink(string relative)
    {
        if (linksFound.Contains(relative))
        {
            throw new IOException($"{Full(relative)} is a symbolic link; not followed");
        }
    }

    /// <summary>
    /// Removes a link the scan found at <paramref name="relative"/> by <c>rm</c> on the host, which
    /// unlinks the link itself: SFTP calls would resolve it to its target first. On an SFTP-only account
    /// the action is refused instead.
    /// </summary>
    private void RemoveIfLink(string relative)
    {
        if (!linksFound.Contains(relative))
        {
            return;
        }
        OnHost($"rm -f -- {Quote(Full(relative))}", $"cannot remove the symbolic link {Full(relative)}");
    }

    /// <summary>Runs a command on the host that must succeed; an SFTP-only account cannot, and the action fails.</summary>
    private void OnHost(string command, string what, string why = "over SFTP the link would be followed")
    {
        if (!connection.CommandsAllowed)
        {
            throw new IOException($"{what}: the server allows no commands, and {why}");
        }
        // A command runs on a channel of its own: what the file channel was sent is done first.
        connection.FilesIfStarted?.SettleDeferred();
        if (connection.Run(command) is not { ExitCode: 0 })
        {
            throw new IOException($"{what}: the command failed");
        }
    }

    /// <summary>New bytes for <paramref name="to"/>: written to a temporary name beside it, checked, then renamed into place.</summary>
    private void Transfer(IMirrorEndpoint from, string fromPath, string to, long expected, FileMeta meta, bool replace, Action<string>? keep, FileAction action)
    {
        var target = Full(to);
        var temp = Full(TemporaryBeside(to));
        // The hash of the bytes sent, for the hash cache, keyed by the whole-second time the copy has.
        void Sent(ContentHash hash) =>
            sent[to] = new CachedHash(expected, FileTime.ToDateTime(FileTime.Seconds(meta.ModifiedNs) * FileTime.NanosPerSecond).Ticks, 0, 0, hash);
        try
        {
            ContentHash hash;
            if (connection.Files is { } channel && !(replace && keep is not null) && !linksFound.Contains(to))
            {
                // Nothing to do between writing and renaming: one request does both.
                // Not waited for: Settle tells how it went.
                using var input = from.OpenRead(fromPath);
                channel.Put(temp, input, expected, meta, $"{from.Root}/{fromPath}", thenTo: target, settled: (hashSent, problem) =>
                {
                    if (problem is null)
                    {
                        Sent(hashSent);
                    }
                    Failed(action, problem);
                });
                return;
            }
            if (connection.Files is { } channel2)
            {
                using var input = from.OpenRead(fromPath);
                hash = channel2.Put(temp, input, expected, meta, $"{from.Root}/{fromPath}");
            }
            else
            {
                long written;
                using (var input = from.OpenRead(fromPath))
                {
                    using var counting = new CountingStream(input);
                    connection.Sftp.UploadFile(counting, temp, canOverride: false);
                    written = counting.Count;
                    hash = counting.Hash();
                }
                if (written != expected)
                {
                    throw new FileChangedException($"{from.Root}/{fromPath} changed while it was copied ({expected} bytes planned, {written} copied)");
                }
                SetMeta(temp, meta, unlessSame: false);
            }
            KillPoint.Step();
            if (replace)
            {
                keep?.Invoke(to);
            }
            RemoveIfLink(to);
            Rename(temp, target);
            Sent(hash);
        }
        catch
        {
            Forget(temp);
            throw;
        }
    }

    /// <summary>Actions that failed after <see cref="Apply"/> returned, with the reason, until <see cref="Settle"/> hands them over.</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<(FileAction Action, string Problem)> failedLater = new();

    private void Failed(FileAction action, string? problem)
    {
        if (problem is not null)
        {
            failedLater.Enqueue((action, problem));
        }
    }

    public IReadOnlyList<(FileAction Action, string Problem)> Settle()
    {
        connection.FilesIfStarted?.SettleDeferred();
        var failed = new List<(FileAction Action, string Problem)>();
        while (failedLater.TryDequeue(out var one))
        {
            failed.Add(one);
        }
        return failed;
    }

    /// <summary>Content already on the host copied to another path: by <c>cp</c> on the host when commands are allowed, else read and written back over SFTP.</summary>
    private void CopyInside(CopyLocal local, Action<string>? keep)
    {
        NoLink(local.From);
        var temp = Full(TemporaryBeside(local.To));
        try
        {
            if (!connection.CommandsAllowed || connection.Run($"cp -- {Quote(Full(local.From))} {Quote(temp)}") is not { ExitCode: 0 })
            {
                Forget(temp);
                using var input = connection.Sftp.OpenRead(Full(local.From));
                connection.Sftp.UploadFile(input, temp, canOverride: false);
            }
            SetMeta(temp, local.Meta, unlessSame: false);
            KillPoint.Step();
            if (local.Replaces)
            {
                keep?.Invoke(local.To);
            }
            RemoveIfLink(local.To);
            Rename(temp, Full(local.To));
        }
        catch
        {
            Forget(temp);
            throw;
        }
    }

    private static string TemporaryBeside(string relative)
    {
        var parent = FileTrees.Parent(relative);
        return parent.Length == 0 ? TemporaryName.New() : parent + "/" + TemporaryName.New();
    }

    /// <summary>Removes a temporary file after a failure, if the connection still allows it.</summary>
    private void Forget(string temp)
    {
        try
        {
            if (connection.Sftp.IsConnected)
            {
                connection.Sftp.DeleteFile(temp);
            }
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException)
        {
            // Nothing there, or the connection is gone: the next run removes what is left.
        }
    }

    /// <summary>An atomic rename over whatever file is at <paramref name="to"/>: by the program on the host, else over SFTP.</summary>
    /// <param name="later">
    /// The action this rename is part of, when it need not be waited for: through the file channel it is
    /// then only sent, and <see cref="Settle"/> tells how it went. Over SFTP it is always waited for.
    /// </param>
    private void Rename(string from, string to, FileAction? later = null)
    {
        if (connection.Files is { } channel)
        {
            channel.Rename(from, to, later is null ? null : problem => Failed(later, problem));
            return;
        }
        RenameOverSftp(from, to);
    }

    /// <summary>An atomic rename over whatever is at <paramref name="to"/> (posix-rename), or, on servers without it, a plain rename.</summary>
    private void RenameOverSftp(string from, string to)
    {
        if (posixRename)
        {
            try
            {
                connection.Sftp.RenameFile(from, to, isPosix: true);
                return;
            }
            catch (NotSupportedException)
            {
                posixRename = false;
            }
        }
        if (Look(to) is { IsDirectory: false })
        {
            connection.Sftp.DeleteFile(to);
        }
        connection.Sftp.RenameFile(from, to);
    }

    /// <summary>
    /// Sets bits and time: by the program on the host (one request, whatever they were), else over SFTP,
    /// where a stat comes first anyway, so <paramref name="unlessSame"/> saves the setstat.
    /// </summary>
    /// <param name="later">As for <see cref="Rename"/>.</param>
    private void SetMeta(string full, FileMeta meta, bool unlessSame, FileAction? later = null)
    {
        if (connection.Files is { } channel)
        {
            channel.SetMeta(full, meta, later is null ? null : problem => Failed(later, problem));
            return;
        }
        var attributes = connection.Sftp.GetAttributes(full);
        var time = WholeSeconds(meta.ModifiedUtc);
        if (unlessSame && attributes.LastWriteTimeUtc == time && ModeOf(attributes) == meta.Mode)
        {
            return;
        }
        attributes.LastWriteTimeUtc = time;
        SetMode(attributes, meta.Mode);
        connection.Sftp.SetAttributes(full, attributes);
    }

    private static DateTime WholeSeconds(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>
    /// Moves DEST/<paramref name="relative"/> into <paramref name="backupRoot"/> on the same host, under its
    /// relative path, numbered <c>.~N~</c> when taken. A plain SFTP rename never replaces an existing
    /// name, so an earlier backup is never overwritten.
    /// </summary>
    public void KeepIn(string backupRoot, string relative) => Remote(() =>
    {
        var from = Full(relative);
        var isLink = linksFound.Contains(relative);
        if (!isLink && Look(from) is null)
        {
            return;
        }
        var parts = relative.Split('/');
        var current = backupRoot;
        MakeDirectories(current);
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Numbered(current, parts[i], a => a is null || a.IsDirectory);
            if (Look(current) is null)
            {
                connection.Sftp.CreateDirectory(current);
            }
        }
        for (var attempt = 0; ; attempt++)
        {
            var to = Numbered(current, parts[^1], a => a is null);
            if (isLink)
            {
                // mv moves the link itself; -n never replaces an earlier backup.
                OnHost($"mv -n -T -- {Quote(from)} {Quote(to)} && test ! -L {Quote(from)}", $"cannot move the symbolic link {from} to the backup {to}");
                return;
            }
            try
            {
                connection.Sftp.RenameFile(from, to);
                return;
            }
            catch (SshException) when (attempt < 100 && Look(to) is not null)
            {
                // another run took the name since it was looked at
            }
        }
    });

    private string Numbered(string directory, string name, Func<SftpFileAttributes?, bool> usable)
    {
        var candidate = directory + "/" + name;
        for (var n = 1; !usable(Look(candidate)); n++)
        {
            candidate = directory + "/" + name + ".~" + n.ToString(CultureInfo.InvariantCulture) + "~";
        }
        return candidate;
    }

    private void MakeDirectories(string absolute)
    {
        var current = "";
        foreach (var part in absolute.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            if (Look(current) is null)
            {
                connection.Sftp.CreateDirectory(current);
            }
        }
    }

    /// <summary>
    /// The SHA-256 of files at these relative paths: computed on the host by <c>sha256sum</c>, in batches,
    /// when the server allows commands (the bytes never cross the network), else read over SFTP. A file
    /// that cannot be read is a problem, not a hash. <paramref name="hashed"/> hears each file's size.
    /// </summary>
    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(Seq<string> paths, Action<long>? hashed) => Remote(() =>
    {
        var hashes = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        var problems = new List<string>();
        var all = paths.ToArray();
        if (connection.CommandsAllowed)
        {
            HashOnHost(all, hashes, problems, hashed);
        }
        else
        {
            foreach (var path in all)
            {
                HashOverSftp(path, hashes, problems, hashed);
            }
        }
        return ((IReadOnlyDictionary<string, ContentHash>)hashes, (IReadOnlyList<string>)problems);
    });

    /// <summary>
    /// Every path hashed on the host in one run (through <c>xargs</c>), the names given NUL-separated on
    /// its stdin, never through the shell: by <c>openssl dgst</c> where the host has it, else, and for
    /// what it does not answer for (a name holding a newline or a backslash, which it writes escaped), by
    /// <c>sha256sum -z</c>. A hash is taken only under the exact name it was asked for; a path neither
    /// answers for (unreadable, or gone) is read over SFTP instead, which names the reason.
    /// </summary>
    private void HashOnHost(string[] paths, Dictionary<string, ContentHash> hashes, List<string> problems, Action<long>? hashed)
    {
        var found = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        if (connection.HasOpenssl)
        {
            var plain = paths.Where(p => !p.Contains('\n', StringComparison.Ordinal) && !p.Contains('\\', StringComparison.Ordinal));
            // The names start with "./", so that none is taken for an option.
            if (connection.Run($"cd -- {Quote(rootPath)} && LC_ALL=C exec xargs -0 -r openssl dgst -sha256 -r", NulSeparated(plain, "./")) is { } digests)
            {
                ParseDigests(digests.Output, found);
            }
        }
        // What openssl left (escaped names, or an openssl that answers otherwise) goes to sha256sum.
        var bySha256sum = paths.Where(p => !found.ContainsKey(p)).ToArray();
        if (bySha256sum.Length > 0 && connection.Run($"cd -- {Quote(rootPath)} && LC_ALL=C exec xargs -0 -r sha256sum -z --", NulSeparated(bySha256sum, "")) is { } sums)
        {
            ParseSums(sums.Output, found);
        }
        foreach (var path in paths)
        {
            if (found.TryGetValue(path, out var hash))
            {
                hashes[path] = hash;
                hashed?.Invoke(filesFound.TryGetValue(path, out var entry) ? entry.Size : Look(Full(path))?.Size ?? 0);
            }
            else
            {
                HashOverSftp(path, hashes, problems, hashed);
            }
        }
    }

    /// <summary>
    /// <c>openssl dgst -sha256 -r</c> output for names given as <c>./NAME</c>: lines <c>HEX *./NAME</c>. A
    /// line that starts with a backslash holds an escaped name, and is left out.
    /// </summary>
    internal static void ParseDigests(string output, Dictionary<string, ContentHash> found)
    {
        foreach (var line in output.Split('\n'))
        {
            if (line.Length > 68 && line[64] == ' ' && line[65] == '*' && line[66] == '.' && line[67] == '/'
                && ContentHash.TryParse(line[..64], out var hash))
            {
                found[line[68..]] = hash;
            }
        }
    }

    /// <summary>Names for a command's stdin (for <c>xargs -0</c>): each as UTF-8 after <paramref name="prefix"/>, ended by NUL.</summary>
    private static byte[] NulSeparated(IEnumerable<string> paths, string prefix)
    {
        var names = new MemoryStream();
        foreach (var path in paths)
        {
            names.Write(Encoding.UTF8.GetBytes(prefix + path));
            names.WriteByte(0);
        }
        return names.ToArray();
    }

    /// <summary><c>sha256sum -z</c> output: <c>HEX  NAME</c> records ended by NUL (names are not escaped with <c>-z</c>).</summary>
    internal static void ParseSums(string output, Dictionary<string, ContentHash> found)
    {
        foreach (var record in output.Split('\0'))
        {
            if (record.Length > 66 && record[64] == ' ' && (record[65] == ' ' || record[65] == '*')
                && ContentHash.TryParse(record[..64], out var hash))
            {
                found[record[66..]] = hash;
            }
        }
    }

    private void HashOverSftp(string path, Dictionary<string, ContentHash> hashes, List<string> problems, Action<long>? hashed)
    {
        try
        {
            using var input = connection.Sftp.OpenRead(Full(path));
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int read;
            long total = 0;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }
            hashes[path] = ContentHash.FromBytes(sha.GetHashAndReset());
            hashed?.Invoke(total);
        }
        catch (Exception e) when (e is SftpPermissionDeniedException or SftpPathNotFoundException)
        {
            problems.Add($"{Full(path)}: cannot read: {e.Message}");
        }
    }

    /// <summary>A word for the remote POSIX shell: in single quotes, each quote written as <c>'\''</c>.</summary>
    internal static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static bool IsConnectionFault(Exception e) =>
        e is SshConnectionException or SshOperationTimeoutException or SocketException or ObjectDisposedException
        || (e is SshException && e is not SftpPathNotFoundException and not SftpPermissionDeniedException);

    private IOException Lost(Exception e) =>
        e is SshConnectionException or SocketException or ObjectDisposedException
            ? new IOException($"the connection to {connection.Host} was lost ({e.Message})", e)
            : new IOException(e.Message, e);

    /// <summary>Runs remote work, turning SSH's own exceptions into the I/O errors the runner reports per action.</summary>
    private T Remote<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SftpPathNotFoundException e)
        {
            throw new FileNotFoundException(e.Message, e);
        }
        catch (SftpPermissionDeniedException e)
        {
            throw new UnauthorizedAccessException(e.Message, e);
        }
        catch (Exception e) when (IsConnectionFault(e))
        {
            throw Lost(e);
        }
    }

    private void Remote(Action work) => Remote(() =>
    {
        work();
        return 0;
    });

    public void Dispose() => connection.Dispose();

    /// <summary>Counts and hashes the bytes read through it, so an upload can be checked against the planned size and its hash kept.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Count { get; private set; }

        public ContentHash Hash() => ContentHash.FromBytes(sha.GetHashAndReset());

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                sha.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            sha.AppendData(buffer, offset, read);
            Count += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
