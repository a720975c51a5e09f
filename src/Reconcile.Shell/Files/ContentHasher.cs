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
        var hashes = new ConcurrentDictionary<string, ContentHash>(StringComparer.Ordinal);
        var problems = new ConcurrentBag<string>();
        Parallel.ForEach(
            paths,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            path =>
            {
                var full = fileSystem.Path.Combine(root, path);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                try
                {
                    var (hash, length) = native ? HashOfFile(full, buffer) : HashOfStream(full, buffer);
                    hashes[path] = hash;
                    Hashed?.Invoke(length);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{full}: cannot read: {e.Message}");
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });
        var sorted = problems.ToList();
        sorted.Sort(StringComparer.Ordinal);
        return (hashes, sorted);
    }

    private static (ContentHash Hash, long Length) HashOfFile(string full, byte[] buffer)
    {
        using var file = RegularFileReader.Open(full);
        return HashOf(file.Read, buffer);
    }

    private (ContentHash Hash, long Length) HashOfStream(string full, byte[] buffer)
    {
        // No buffering in the stream: every read goes straight into the pooled buffer.
        using var stream = fileSystem.FileStream.New(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return HashOf(stream, buffer);
    }

    /// <summary>The hash of what <paramref name="stream"/> holds to its end, and how many bytes that was.</summary>
    internal static (ContentHash Hash, long Length) HashOf(Stream stream, byte[] buffer) => HashOf(stream.Read, buffer);

    /// <summary>The hash of what <paramref name="read"/> gives until it gives nothing, and how many bytes that was.</summary>
    private static (ContentHash Hash, long Length) HashOf(Func<byte[], int, int, int> read, byte[] buffer)
    {
        var first = ReadFull(read, buffer);
        if (first < buffer.Length)
        {
            return (ContentHash.FromBytes(SHA256.HashData(buffer.AsSpan(0, first))), first);
        }
        using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        var n = first;
        do
        {
            incremental.AppendData(buffer, 0, n);
            length += n;
            n = ReadFull(read, buffer);
        }
        while (n > 0);
        return (ContentHash.FromBytes(incremental.GetHashAndReset()), length);
    }

    /// <summary>Reads until the buffer is full or the file ends.</summary>
    private static int ReadFull(Func<byte[], int, int, int> read, byte[] buffer)
    {
        var total = 0;
        int n;
        while (total < buffer.Length && (n = read(buffer, total, buffer.Length - total)) > 0)
        {
            total += n;
        }
        return total;
    }
}
