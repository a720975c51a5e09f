using System.Collections.Concurrent;
using System.IO.Abstractions;
using System.Security.Cryptography;
using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>SHA-256 of file contents, on every core. A file that cannot be read is reported and left unhashed.</summary>
public sealed class ContentHasher(IFileSystem fileSystem)
{
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
                try
                {
                    using var stream = fileSystem.FileStream.Create(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                    hashes[path] = ContentHash.FromBytes(SHA256.HashData(stream));
                    Hashed?.Invoke(stream.Length);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{full}: cannot read: {e.Message}");
                }
            });
        var sorted = problems.ToList();
        sorted.Sort(StringComparer.Ordinal);
        return (hashes, sorted);
    }
}
