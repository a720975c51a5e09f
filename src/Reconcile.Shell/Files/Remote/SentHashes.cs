using System.IO.Abstractions;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// The hashes of the files a run sent to a remote DEST, computed from the bytes as they went out, kept in
/// that DEST's hash cache (its <c>sftp://</c> root, each file's size and the whole-second time it was
/// given, and the inode and change time the host lists for it after the run), so a later
/// <c>--checksum</c> run takes them from the cache instead of hashing on the host.
/// </summary>
internal static class SentHashes
{
    /// <summary>
    /// Adds the hashes of what <paramref name="dest"/> was sent to its cache in <paramref name="cacheDirectory"/>.
    /// A file whose time lies within two seconds of the scan is left out, as the cache leaves out every
    /// file that may still be changing within its time's resolution.
    /// </summary>
    public static void Remember(IFileSystem fileSystem, string? cacheDirectory, SftpEndpoint dest, DateTime scanStart, TextWriter stderr, bool quiet)
    {
        if (cacheDirectory is null || dest.Sent.Count == 0)
        {
            return;
        }
        var settled = scanStart.AddSeconds(-2).Ticks;
        var cache = HashCache.Load(fileSystem, HashCache.FileFor(fileSystem, cacheDirectory, dest.Root), dest.Root, out _);
        try
        {
            var listed = dest.SentAsListed().Where(s => s.Value.ModifiedTicks < settled).ToList();
            if (listed.Count > 0)
            {
                cache.With(listed).Save(fileSystem, dest.Root);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!quiet)
            {
                stderr.WriteLine($"reconcile: could not save the hash cache {cache.File}: {e.Message}");
            }
        }
    }
}
