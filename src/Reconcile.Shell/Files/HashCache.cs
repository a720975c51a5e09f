using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// One remembered hash: valid while the file at its path keeps this size, modification time, inode and
/// change time. A class, so that the dictionary of them runs on the runtime's precompiled code from the
/// first look-up.
/// </summary>
public sealed record CachedHash(long Size, long ModifiedTicks, ulong Inode, long ChangeNanoseconds, ContentHash Hash);

/// <summary>
/// Content hashes from earlier runs, one file per root in the user's cache directory (never inside
/// SOURCE or DEST). An entry counts only while the file at its path has the same size, modification
/// time, inode and change time (0 = unknown, matching only 0). The change time (ctime) is what makes
/// <c>--checksum</c> mean content: a file rewritten in place with its size and modification time set
/// back still has a new ctime, which no user can set. The file is compact binary: a magic, the SHA-256 of
/// the rest (so a damaged file is noticed and ignored, never trusted), the root it belongs to, then one
/// record per file. It is written to a temporary file and renamed over the old one.
/// </summary>
public sealed class HashCache
{
    private static readonly byte[] Magic = "RCHASH03"u8.ToArray();

    /// <summary>
    /// Earlier formats, read as an empty cache, without a warning: before change times were kept, and
    /// before paths were written as their names' bytes (<see cref="NameBytes"/>; UTF-8 strings lost the
    /// bytes of names that are not UTF-8).
    /// </summary>
    private static readonly byte[][] OlderMagics = ["RCHASH01"u8.ToArray(), "RCHASH02"u8.ToArray()];

    private const int FieldBytes = 64;
    private const int DigestOffset = 8;
    private const int BodyOffset = DigestOffset + 32;

    private readonly Dictionary<string, CachedHash> entries;

    private HashCache(string file, Dictionary<string, CachedHash> entries)
    {
        File = file;
        this.entries = entries;
    }

    public string File { get; }

    public int Count => entries.Count;

    /// <summary>The cache file of one root: named by a hash of its full path.</summary>
    public static string FileFor(IFileSystem fileSystem, string directory, string root)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(root));
        return fileSystem.Path.Combine(directory, "hashes-" + Convert.ToHexStringLower(digest.AsSpan(0, 12)) + ".bin");
    }

    /// <summary>Reads a root's cache; a missing file is an empty cache, a damaged one too, with a warning.</summary>
    public static HashCache Load(IFileSystem fileSystem, string file, string root, out string? warning)
    {
        warning = null;
        var entries = new Dictionary<string, CachedHash>(StringComparer.Ordinal);
        if (!fileSystem.File.Exists(file))
        {
            return new HashCache(file, entries);
        }
        try
        {
            // Read whole and parsed in place: a cache of 100,000 files is a few MB, and a reader per
            // field costs more than the disk.
            var bytes = fileSystem.File.ReadAllBytes(file);
            if (OlderMagics.Any(older => bytes.AsSpan().StartsWith(older)))
            {
                return new HashCache(file, entries);
            }
            if (bytes.Length < BodyOffset || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw new InvalidDataException("not a reconcile hash cache");
            }
            if (!SHA256.HashData(bytes.AsSpan(BodyOffset)).AsSpan().SequenceEqual(bytes.AsSpan(DigestOffset, 32)))
            {
                throw new InvalidDataException("checksum mismatch");
            }
            var at = BodyOffset;
            if (ReadString(bytes, ref at) != root)
            {
                throw new InvalidDataException("it belongs to another directory");
            }
            var count = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at, 4));
            at += 4;
            // Each record takes at least 1 + FieldBytes bytes; a count beyond that is damage, not a size to allocate.
            entries.EnsureCapacity(Math.Clamp(count, 0, (bytes.Length - at) / (1 + FieldBytes)));
            for (var i = 0; i < count; i++)
            {
                var path = ReadString(bytes, ref at);
                var fields = bytes.AsSpan(at, FieldBytes);
                at += FieldBytes;
                entries[path] = new CachedHash(
                    System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(fields),
                    System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(fields[8..]),
                    System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(fields[16..]),
                    System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(fields[24..]),
                    ContentHash.FromBytes(fields[32..]));
            }
            if (at != bytes.Length)
            {
                throw new InvalidDataException("trailing bytes");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or FormatException or IndexOutOfRangeException)
        {
            warning = $"ignoring the hash cache {file}: {e.Message}";
            entries.Clear();
        }
        return new HashCache(file, entries);
    }

    public bool TryGet(string path, FileEntry entry, Inode inode, out ContentHash hash) =>
        TryGet(path, entry.Size, entry.ModifiedUtc.Ticks, inode.Number, inode.ChangeNanoseconds, out hash);

    /// <summary>The remembered hash of the file at <paramref name="path"/>, if it still has this size, times and inode.</summary>
    public bool TryGet(string path, long size, long modifiedTicks, ulong inode, long changeNanoseconds, out ContentHash hash)
    {
        if (entries.TryGetValue(path, out var cached)
            && cached.Size == size && cached.ModifiedTicks == modifiedTicks && cached.Inode == inode
            && cached.ChangeNanoseconds == changeNanoseconds)
        {
            hash = cached.Hash;
            return true;
        }
        hash = default;
        return false;
    }

    /// <summary>
    /// The cache as it should be after a run: entries still true of <paramref name="tree"/> (minus the
    /// paths the run touched), plus <paramref name="fresh"/> hashes. A file modified within the last
    /// seconds before <paramref name="scanStart"/> is not remembered: it may still be changing within
    /// the time resolution of its file system.
    /// </summary>
    public HashCache Updated(
        FileTree tree,
        Func<string, Inode> inodeOf,
        IReadOnlyDictionary<string, ContentHash> fresh,
        IReadOnlySet<string> touched,
        DateTime scanStart)
    {
        var settled = scanStart.AddSeconds(-2);
        var next = new Dictionary<string, CachedHash>(StringComparer.Ordinal);
        foreach (var (path, cached) in entries)
        {
            if (!touched.Contains(path) && tree.Files.TryGetValue(path, out var entry)
                && TryGet(path, entry, inodeOf(path), out _))
            {
                next[path] = cached;
            }
        }
        foreach (var (path, hash) in fresh)
        {
            if (!touched.Contains(path) && tree.Files.TryGetValue(path, out var entry) && entry.ModifiedUtc < settled)
            {
                var inode = inodeOf(path);
                next[path] = new CachedHash(entry.Size, entry.ModifiedUtc.Ticks, inode.Number, inode.ChangeNanoseconds, hash);
            }
        }
        return new HashCache(File, next);
    }

    /// <summary>The cache with these entries added, or put in place of the ones at their paths.</summary>
    public HashCache With(IEnumerable<KeyValuePair<string, CachedHash>> added)
    {
        var next = new Dictionary<string, CachedHash>(entries, StringComparer.Ordinal);
        foreach (var (path, cached) in added)
        {
            next[path] = cached;
        }
        return new HashCache(File, next);
    }

    /// <summary>Writes the cache to a temporary file beside it, then renames that over the old one.</summary>
    public void Save(IFileSystem fileSystem, string root)
    {
        var directory = fileSystem.Path.GetDirectoryName(File)!;
        fileSystem.Directory.CreateDirectory(directory);
        var temp = File + Common.TemporaryName.New();
        try
        {
            using (var stream = fileSystem.FileStream.New(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                stream.Write(Magic);
                stream.Write(new byte[32]);
                using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    WriteName(writer, root);
                    writer.Write(entries.Count);
                    Span<byte> digest = stackalloc byte[32];
                    foreach (var (path, cached) in entries)
                    {
                        WriteName(writer, path);
                        writer.Write(cached.Size);
                        writer.Write(cached.ModifiedTicks);
                        writer.Write(cached.Inode);
                        writer.Write(cached.ChangeNanoseconds);
                        WriteDigest(cached.Hash, digest);
                        writer.Write(digest);
                    }
                }
                stream.Flush();
                stream.Position = BodyOffset;
                var sum = SHA256.HashData(stream);
                stream.Position = DigestOffset;
                stream.Write(sum);
            }
            fileSystem.File.Move(temp, File, overwrite: true);
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

    /// <summary>A name as its bytes (<see cref="NameBytes"/>): their count in 7-bit groups, then the bytes.</summary>
    private static void WriteName(BinaryWriter writer, string name)
    {
        var bytes = NameBytes.Encode(name);
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>A name as <see cref="WriteName"/> writes it.</summary>
    private static string ReadString(byte[] bytes, ref int at)
    {
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28)
            {
                throw new InvalidDataException("a damaged string length");
            }
            var b = bytes[at++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }
        var text = NameBytes.Decode(bytes.AsSpan(at, length));
        at += length;
        return text;
    }

    private static void WriteDigest(ContentHash hash, Span<byte> into)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(into, hash.A);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(into[8..], hash.B);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(into[16..], hash.C);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(into[24..], hash.D);
    }
}
