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

/// <summary>
/// What the planner knows of one regular file. <see cref="Hash"/> is present only where it was needed
/// (rename candidates, or every file with --checksum). A symbolic link found in DEST is carried as an
/// entry with <see cref="IsLink"/> set: it is never content, only something to remove or replace.
/// A class, not a struct: collections of it then share the runtime's precompiled generic code, which
/// saves a start-up's worth of compiling on every run.
/// </summary>
public sealed record FileEntry(long Size, DateTime ModifiedUtc, int Mode, ContentHash? Hash = null, bool IsLink = false)
{
    public FileMeta Meta => new(ModifiedUtc, Mode);

    public FileEntry WithMeta(FileMeta meta) => this with { ModifiedUtc = meta.ModifiedUtc, Mode = meta.Mode };
}

/// <summary>The metadata a mirror copies along with the bytes: modification time and permission bits.</summary>
public readonly record struct FileMeta(DateTime ModifiedUtc, int Mode);

/// <summary>
/// A directory tree as plain values: relative paths with '/' separators, no leading or trailing slash.
/// <see cref="Directories"/> may omit ancestors of files; <see cref="FileTrees.AllDirectories"/> adds them.
/// <see cref="Pinned"/> names directories that hold excluded entries, which a run must not remove.
/// </summary>
public sealed record FileTree(
    IReadOnlyDictionary<string, FileEntry> Files,
    IReadOnlySet<string> Directories,
    IReadOnlySet<string> Pinned)
{
    public static readonly FileTree Empty = new(
        new Dictionary<string, FileEntry>(StringComparer.Ordinal),
        new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal),
        new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));

    public FileTree(IReadOnlyDictionary<string, FileEntry> files, IReadOnlySet<string> directories)
        : this(files, directories, Empty.Pinned)
    {
    }
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
