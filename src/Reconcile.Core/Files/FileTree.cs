using System.Globalization;

namespace Reconcile.Core.Files;

/// <summary>A SHA-256 digest held as four words, so a million of them stay small.</summary>
public readonly record struct ContentHash(ulong A, ulong B, ulong C, ulong D)
{
    public static ContentHash FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("a SHA-256 digest has 32 bytes", nameof(digest));
        }
        return new(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest[..8]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest[8..16]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest[16..24]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }

    public static bool TryParse(string hex, out ContentHash hash)
    {
        hash = default;
        if (hex.Length != 64)
        {
            return false;
        }
        Span<ulong> words = stackalloc ulong[4];
        for (var i = 0; i < 4; i++)
        {
            if (!ulong.TryParse(hex.AsSpan(i * 16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]))
            {
                return false;
            }
        }
        hash = new(words[0], words[1], words[2], words[3]);
        return true;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{A:x16}{B:x16}{C:x16}{D:x16}");
}

/// <summary>What kind of entry a <see cref="FileEntry"/> is: everything but a directory that <c>rsync -a</c> mirrors.</summary>
public enum EntryKind : byte
{
    File,
    Link,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}

/// <summary>
/// What the planner knows of one entry that is not a directory: a regular file (size, time, permission
/// bits, owner, and <see cref="Hash"/> only where it was needed: rename candidates, or every file with
/// --checksum), a symbolic link (<see cref="LinkTarget"/>, never followed), a FIFO, a socket or a device
/// (<see cref="Device"/>, its major and minor numbers as the kernel packs them). Only regular files are
/// content: everything else is made again from its description.
/// A class, not a struct: collections of it then share the runtime's precompiled generic code, which
/// saves a start-up's worth of compiling on every run.
/// </summary>
public sealed record FileEntry(
    long Size,
    long ModifiedNs,
    int Mode,
    ContentHash? Hash = null,
    EntryKind Kind = EntryKind.File,
    uint Owner = FileMeta.NoOwner,
    uint Group = FileMeta.NoOwner,
    string? LinkTarget = null,
    ulong Device = 0)
{
    /// <summary>A regular file whose time is given as a <see cref="DateTime"/> (100 ns).</summary>
    public FileEntry(long size, DateTime modifiedUtc, int mode, ContentHash? hash = null)
        : this(size, FileTime.FromDateTime(modifiedUtc), mode, hash)
    {
    }

    /// <summary>A symbolic link to <paramref name="target"/>.</summary>
    public static FileEntry Link(string target, long modifiedNs, uint owner = FileMeta.NoOwner, uint group = FileMeta.NoOwner) =>
        new(NameBytes.ByteCount(target), modifiedNs, 0b111_111_111, null, EntryKind.Link, owner, group, target);

    /// <summary>The modification time to 100 ns, for code that works with <see cref="DateTime"/>.</summary>
    public DateTime ModifiedUtc
    {
        get => FileTime.ToDateTime(ModifiedNs);
        init => ModifiedNs = FileTime.FromDateTime(value);
    }

    public bool IsRegular => Kind == EntryKind.File;

    public bool IsLink => Kind == EntryKind.Link;

    public FileMeta Meta => new(ModifiedNs, Mode, Owner, Group);

    public FileEntry WithMeta(FileMeta meta) => this with { ModifiedNs = meta.ModifiedNs, Mode = meta.Mode, Owner = meta.Owner, Group = meta.Group };

    /// <summary>Whether <paramref name="other"/> is the same entry but for its metadata: same kind, and for a link the same target, for a device the same numbers.</summary>
    public bool SameNode(FileEntry other) =>
        Kind == other.Kind && string.Equals(LinkTarget, other.LinkTarget, StringComparison.Ordinal) && Device == other.Device;
}

/// <summary>
/// The metadata a mirror copies along with an entry: modification time (nanoseconds since the epoch),
/// permission bits (setuid, setgid and sticky included), and owner and group. <see cref="NoOwner"/>
/// means ownership is not mirrored (a run that is not root cannot give files away), and is never set.
/// </summary>
public readonly record struct FileMeta(long ModifiedNs, int Mode, uint Owner = FileMeta.NoOwner, uint Group = FileMeta.NoOwner)
{
    /// <summary>(uid_t)-1: "leave the owner as it is" to <c>chown(2)</c>.</summary>
    public const uint NoOwner = uint.MaxValue;

    public FileMeta(DateTime modifiedUtc, int mode)
        : this(FileTime.FromDateTime(modifiedUtc), mode)
    {
    }

    public DateTime ModifiedUtc => FileTime.ToDateTime(ModifiedNs);

    /// <summary>
    /// Same bits, times equal as <see cref="FileTime.Same"/> compares them, and the same owner and group
    /// where both sides keep them (a side that does not, <see cref="NoOwner"/>, has nothing to compare).
    /// </summary>
    public bool SameAs(FileMeta other, int modifyWindow) =>
        Mode == other.Mode && SameId(Owner, other.Owner) && SameId(Group, other.Group) && FileTime.Same(ModifiedNs, other.ModifiedNs, modifyWindow);

    private static bool SameId(uint a, uint b) => a == b || a == NoOwner || b == NoOwner;
}

/// <summary>A device's major and minor numbers packed into one <c>dev_t</c>, as glibc packs them.</summary>
public static class DeviceNumbers
{
    public static ulong Make(uint major, uint minor) =>
        ((ulong)(major & 0xFFFF_F000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFF_FF00) << 12) | (minor & 0xFF);

    public static uint Major(ulong device) => (uint)(((device >> 32) & 0xFFFF_F000) | ((device >> 8) & 0xFFF));

    public static uint Minor(ulong device) => (uint)(((device >> 12) & 0xFFFF_FF00) | (device & 0xFF));
}

/// <summary>Modification times as nanoseconds since the Unix epoch, and rsync's way of comparing them.</summary>
public static class FileTime
{
    public const long NanosPerSecond = 1_000_000_000;

    /// <summary>A <see cref="DateTime"/> in nanoseconds; times before 1677 (beyond a long's nanoseconds) are taken as 1677.</summary>
    public static long FromDateTime(DateTime utc) => Math.Max(utc.Ticks - DateTime.UnixEpoch.Ticks, long.MinValue / 100) * 100;

    public static DateTime ToDateTime(long ns) => DateTime.UnixEpoch.AddTicks(Math.DivRem(ns, 100).Quotient - (ns % 100 < 0 ? 1 : 0));

    public static long Seconds(long ns) => Math.DivRem(ns, NanosPerSecond).Quotient - (ns % NanosPerSecond < 0 ? 1 : 0);

    public static int Nanos(long ns) => (int)(ns - Seconds(ns) * NanosPerSecond);

    /// <summary>
    /// Whether two times are the same, as rsync's <c>--modify-window</c> has it: whole seconds that differ
    /// by no more than the window; a negative window compares the nanoseconds too.
    /// </summary>
    public static bool Same(long a, long b, int modifyWindow) =>
        modifyWindow < 0 ? a == b : Math.Abs(Seconds(a) - Seconds(b)) <= modifyWindow;

    /// <summary>Seconds and nanoseconds, <c>1704067200.123456789</c>, as <c>find -printf %T@</c> prints them.</summary>
    public static string Format(long ns) =>
        Seconds(ns).ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Nanos(ns).ToString("D9", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out long ns)
    {
        ns = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || text.Length - dot - 1 != 9
            || !long.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || !int.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var nanos)
            || seconds is < -9_000_000_000 or > 9_000_000_000)
        {
            return false;
        }
        ns = seconds * NanosPerSecond + nanos;
        return true;
    }
}

/// <summary>
/// A directory tree as plain values: relative paths with '/' separators, no leading or trailing slash.
/// <see cref="Directories"/> may omit ancestors of files; <see cref="FileTrees.AllDirectories"/> adds them.
/// <see cref="Pinned"/> names directories that hold excluded entries, which a run must not remove.
/// <see cref="DirectoryMeta"/> holds the metadata of the directories whose metadata is known ("" is the
/// root); a directory missing from it is not compared.
/// </summary>
public sealed record FileTree(
    IReadOnlyDictionary<string, FileEntry> Files,
    IReadOnlySet<string> Directories,
    IReadOnlySet<string> Pinned)
{
    // Before Empty: static fields are set in the order they are written.
    private static readonly Dictionary<string, FileMeta> NoDirectoryMeta = new(StringComparer.Ordinal);

    public static readonly FileTree Empty = new(
        new Dictionary<string, FileEntry>(StringComparer.Ordinal),
        new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal),
        new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));

    public FileTree(IReadOnlyDictionary<string, FileEntry> files, IReadOnlySet<string> directories)
        : this(files, directories, Empty.Pinned)
    {
    }

    public IReadOnlyDictionary<string, FileMeta> DirectoryMeta { get; init; } = NoDirectoryMeta;
}

public static class FileTrees
{
    /// <summary>The explicit directories plus every ancestor of a file or directory.</summary>
    public static System.Collections.Generic.HashSet<string> AllDirectories(FileTree tree)
    {
        var all = new System.Collections.Generic.HashSet<string>(tree.Directories, StringComparer.Ordinal);
        foreach (var dir in tree.Directories)
        {
            AddAncestors(all, dir);
        }
        // Files come grouped by directory (a scan adds them a directory at a time): a file beside the
        // previous one adds nothing new, and is seen as such without a look-up.
        var previous = "";
        foreach (var file in tree.Files.Keys)
        {
            var slash = file.LastIndexOf('/');
            if (slash > 0 && slash == previous.LastIndexOf('/') && file.AsSpan(0, slash).SequenceEqual(previous.AsSpan(0, slash)))
            {
                continue;
            }
            AddAncestors(all, file);
            previous = file;
        }
        return all;
    }

    /// <summary>The parent of a relative path, or "" for a path at the root.</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Whether <paramref name="path"/> lies strictly below <paramref name="dir"/>.</summary>
    public static bool IsBelow(string path, string dir) =>
        path.Length > dir.Length && path[dir.Length] == '/' && path.StartsWith(dir, StringComparison.Ordinal);

    /// <summary>
    /// Adds the ancestors of <paramref name="path"/>, nearest first, and stops at the first one already
    /// there (its own ancestors are then there too). Known ancestors are looked up by span, so the
    /// common case, a file beside others, allocates nothing.
    /// </summary>
    private static void AddAncestors(System.Collections.Generic.HashSet<string> into, string path)
    {
        var known = into.GetAlternateLookup<ReadOnlySpan<char>>();
        var end = path.LastIndexOf('/');
        while (end > 0)
        {
            var parent = path.AsSpan(0, end);
            if (known.Contains(parent))
            {
                return;
            }
            into.Add(path[..end]);
            end = parent.LastIndexOf('/');
        }
    }
}
