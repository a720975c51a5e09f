using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Security.Cryptography;
using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>SHA-256 of file contents, on every core. A file that cannot be read is reported and left unhashed.</summary>
public sealed class ContentHasher(LocalAccess access)
{
    private readonly IFileSystem fileSystem = access.FileSystem;

    /// <summary>On the native path, files are read with plain system calls (<see cref="RegularFileReader"/>).</summary>
    private readonly bool native = access.Native;

    /// <summary>
    /// How much of a file is read at once, into a buffer borrowed from a pool: most files fit in one
    /// read and are hashed in one call. (A stream's own buffer would be a new 64 KiB array per file,
    /// 165 MB of garbage for 2,500 files.)
    /// </summary>
    private const int ChunkBytes = 1 << 18;

    /// <summary>Told the size of each file once it is hashed (for a progress display); called from several threads.</summary>
    public Action<long>? Hashed { get; init; }

    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(string root, Seq<string> paths)
    {
        var (hashes, _, problems) = HashComparing(root, otherRoot: null, paths);
        return (hashes, problems);
    }

    /// <summary>
    /// The hash of each file at these paths under <paramref name="root"/>, and, when
    /// <paramref name="otherRoot"/> is given, which of the files at the same paths under it hold the very
    /// same bytes: each is read beside its counterpart and compared byte for byte, so its hash is known
    /// without hashing it (SHA-256 once instead of twice, for a tree compared with its mirror). A file of
    /// the other root that differs, or cannot be read, is simply not in <c>SameInOther</c>; only files
    /// of <paramref name="root"/> are reported as problems. With <paramref name="hashWhenSame"/> false, a
    /// file whose counterpart holds the same bytes is only compared, not hashed: it is in
    /// <c>SameInOther</c> and not in <c>Hashes</c> (for a run that needs no hash of what both sides hold).
    /// </summary>
    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlySet<string> SameInOther, IReadOnlyList<string> Problems) HashComparing(
        string root, string? otherRoot, Seq<string> paths, bool hashWhenSame = true)
    {
        var list = paths.ToArray();
        var (hashed, same, problems) = HashEach(root, otherRoot, list, hashWhenSame);
        var hashes = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        var sameInOther = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++)
        {
            if (hashed[i] is { } hash)
            {
                hashes[list[i]] = hash;
            }
            if (same[i])
            {
                sameInOther.Add(list[i]);
            }
        }
        return (hashes, sameInOther, problems);
    }

    /// <summary>
    /// <see cref="HashComparing"/> by position: the hash of the file at each path (null when it was not
    /// hashed: unreadable, or compared only), and whether the file at the same path under
    /// <paramref name="otherRoot"/> holds the same bytes. No dictionary of paths is built on the way.
    /// </summary>
    internal (ContentHash?[] Hashes, bool[] SameInOther, IReadOnlyList<string> Problems) HashEach(
        string root, string? otherRoot, IReadOnlyList<string> paths, bool hashWhenSame)
    {
        var hashes = new ContentHash?[paths.Count];
        var same = new bool[paths.Count];
        var problems = new ConcurrentBag<string>();
        // On the native path each file is opened relative to its root, held open: the kernel walks only
        // the part of the path below the root (a tenth of the time went into walking whole paths).
        var rootFd = native ? RegularFileReader.OpenDirectory(root) : -1;
        var otherRootFd = native && otherRoot is not null ? RegularFileReader.OpenDirectory(otherRoot) : -1;
        try
        {
            Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, HashOne);
        }
        finally
        {
            RegularFileReader.CloseDirectory(rootFd);
            RegularFileReader.CloseDirectory(otherRootFd);
        }
        var sorted = problems.ToList();
        sorted.Sort(StringComparer.Ordinal);
        return (hashes, same, sorted);

        void HashOne(int i)
        {
            var path = paths[i];
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            var otherBuffer = otherRoot is null ? null : ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                var file = OpenForHashing(root, rootFd, path);
                try
                {
                    using var other = otherRoot is null ? null : TryOpenForHashing(otherRoot, otherRootFd, path);
                    if (!hashWhenSame && other is not null)
                    {
                        if (SameBytes(file.Read, other.Read, buffer, otherBuffer!, out var compared))
                        {
                            same[i] = true;
                            Hashed?.Invoke(compared);
                            return;
                        }

                        // They differ: this file is hashed from its start, read again (a difference is rare in a mirror).
                        file.Dispose();
                        file = OpenForHashing(root, rootFd, path);
                    }
                    var (hash, length, otherIsSame) = HashOf(file.Read, hashWhenSame && other is not null ? other.Read : null, buffer, otherBuffer);
                    hashes[i] = hash;
                    same[i] = otherIsSame;
                    Hashed?.Invoke(length);
                }
                finally
                {
                    file.Dispose();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(Common.TerminalText.Escape($"{fileSystem.Path.Combine(root, path)}: cannot read: {e.Message}"));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                if (otherBuffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(otherBuffer);
                }
            }
        }
    }

    /// <summary>
    /// A file opened to be read to its end: with plain system calls on the native path
    /// (<see cref="RegularFileReader"/>), else an unbuffered stream, every read going straight into the
    /// pooled buffer.
    /// </summary>
    /// <param name="rootFd">The root held open on the native path (-1: not held, the whole path is opened).</param>
    private FileForHashing OpenForHashing(string root, int rootFd, string path) => native
        ? new FileForHashing(rootFd >= 0 ? RegularFileReader.Open(path, rootFd) : RegularFileReader.Open(fileSystem.Path.Combine(root, path)))
        : new FileForHashing(fileSystem.FileStream.New(fileSystem.Path.Combine(root, path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0));

    private FileForHashing? TryOpenForHashing(string root, int rootFd, string path)
    {
        try
        {
            return OpenForHashing(root, rootFd, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>One of the two ways a file is read for hashing, behind one <see cref="Read"/>.</summary>
    private sealed class FileForHashing : IDisposable
    {
        private readonly RegularFileReader? reader;
        private readonly Stream? stream;

        public FileForHashing(RegularFileReader reader) => this.reader = reader;

        public FileForHashing(Stream stream) => this.stream = stream;

        public int Read(byte[] buffer, int offset, int count) =>
            reader is not null ? reader.Read(buffer, offset, count) : stream!.Read(buffer, offset, count);

        public void Dispose()
        {
            reader?.Dispose();
            stream?.Dispose();
        }
    }

    /// <summary>The hash of what <paramref name="stream"/> holds to its end, and how many bytes that was.</summary>
    internal static (ContentHash Hash, long Length) HashOf(Stream stream, byte[] buffer)
    {
        var (hash, length, _) = HashOf(stream.Read, null, buffer, null);
        return (hash, length);
    }

    /// <summary>
    /// The hash of what <paramref name="read"/> gives until it gives nothing, how many bytes that was, and
    /// whether <paramref name="other"/> gives exactly the same bytes (read alongside, into
    /// <paramref name="otherBuffer"/>, until the first difference).
    /// </summary>
    private static (ContentHash Hash, long Length, bool OtherIsSame) HashOf(
        Func<byte[], int, int, int> read, Func<byte[], int, int, int>? other, byte[] buffer, byte[]? otherBuffer)
    {
        var chunk = otherBuffer is null ? buffer.Length : Math.Min(buffer.Length, otherBuffer.Length);
        var same = other is not null;
        bool SameChunk(int n)
        {
            // Reading one byte more than this chunk's length tells a longer other file at its end.
            var m = ReadFull(other!, otherBuffer!, n < chunk ? Math.Min(n + 1, otherBuffer!.Length) : chunk);
            return m == n && buffer.AsSpan(0, n).SequenceEqual(otherBuffer.AsSpan(0, n));
        }
        var first = ReadFull(read, buffer, chunk);
        same = same && SameChunk(first);
        if (first < chunk)
        {
            return (ContentHash.FromBytes(SHA256.HashData(buffer.AsSpan(0, first))), first, same);
        }
        using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        var n = first;
        do
        {
            incremental.AppendData(buffer, 0, n);
            length += n;
            n = ReadFull(read, buffer, chunk);
            same = same && SameChunk(n);
        }
        while (n > 0);
        return (ContentHash.FromBytes(incremental.GetHashAndReset()), length, same);
    }

    /// <summary>
    /// Whether <paramref name="read"/> and <paramref name="other"/> give exactly the same bytes to their
    /// ends, read side by side in chunks until the first difference; <paramref name="length"/> is how many
    /// bytes of <paramref name="read"/> that took.
    /// </summary>
    private static bool SameBytes(Func<byte[], int, int, int> read, Func<byte[], int, int, int> other, byte[] buffer, byte[] otherBuffer, out long length)
    {
        var chunk = Math.Min(buffer.Length, otherBuffer.Length);
        length = 0;
        while (true)
        {
            var n = ReadFull(read, buffer, chunk);
            // Reading one byte more than this chunk's length tells a longer other file at its end.
            var m = ReadFull(other, otherBuffer, n < chunk ? n + 1 : chunk);
            length += n;
            if (m != n || !buffer.AsSpan(0, n).SequenceEqual(otherBuffer.AsSpan(0, n)))
            {
                return false;
            }
            if (n < chunk)
            {
                return true;
            }
        }
    }

    /// <summary>Reads until <paramref name="count"/> bytes are in the buffer or the file ends.</summary>
    private static int ReadFull(Func<byte[], int, int, int> read, byte[] buffer, int count)
    {
        var total = 0;
        int n;
        while (total < count && (n = read(buffer, total, count - total)) > 0)
        {
            total += n;
        }
        return total;
    }
}
