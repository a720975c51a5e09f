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
    /// of <paramref name="root"/> are reported as problems.
    /// </summary>
    public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlySet<string> SameInOther, IReadOnlyList<string> Problems) HashComparing(
        string root, string? otherRoot, Seq<string> paths)
    {
        var hashes = new ConcurrentDictionary<string, ContentHash>(StringComparer.Ordinal);
        var same = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var problems = new ConcurrentBag<string>();
        Parallel.ForEach(
            paths,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            path =>
            {
                var full = fileSystem.Path.Combine(root, path);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                var otherBuffer = otherRoot is null ? null : ArrayPool<byte>.Shared.Rent(ChunkBytes);
                try
                {
                    using var file = OpenForHashing(full);
                    using var other = otherRoot is null ? null : TryOpenForHashing(fileSystem.Path.Combine(otherRoot, path));
                    var (hash, length, otherIsSame) = HashOf(file.Read, other is null ? null : other.Read, buffer, otherBuffer);
                    hashes[path] = hash;
                    if (otherIsSame)
                    {
                        same[path] = true;
                    }
                    Hashed?.Invoke(length);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add(Common.TerminalText.Escape($"{full}: cannot read: {e.Message}"));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    if (otherBuffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(otherBuffer);
                    }
                }
            });
        var sorted = problems.ToList();
        sorted.Sort(StringComparer.Ordinal);
        return (hashes, new System.Collections.Generic.HashSet<string>(same.Keys, StringComparer.Ordinal), sorted);
    }

    /// <summary>
    /// A file opened to be read to its end: with plain system calls on the native path
    /// (<see cref="RegularFileReader"/>), else an unbuffered stream, every read going straight into the
    /// pooled buffer.
    /// </summary>
    private FileForHashing OpenForHashing(string full) => native
        ? new FileForHashing(RegularFileReader.Open(full))
        : new FileForHashing(fileSystem.FileStream.New(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0));

    private FileForHashing? TryOpenForHashing(string full)
    {
        try
        {
            return OpenForHashing(full);
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
