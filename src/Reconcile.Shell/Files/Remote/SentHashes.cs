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
    /// What <paramref name="dest"/> was sent, as the host lists it now, for DEST's hash cache (see
    /// <see cref="TreeGatherer.SaveCaches"/>). A file whose time lies within two seconds of the scan is
    /// left out, as the cache leaves out every file that may still be changing within its time's
    /// resolution. Empty when nothing was sent or no cache is kept.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, CachedHash>> Settled(string? cacheDirectory, SftpEndpoint dest, DateTime scanStart)
    {
        if (cacheDirectory is null || dest.Sent.Count == 0)
        {
            return [];
        }
        var settled = scanStart.AddSeconds(-2).Ticks;
        try
        {
            return dest.SentAsListed().Where(s => s.Value.ModifiedTicks < settled).ToList();
        }
        catch (IOException)
        {
            // The host could not list them (the connection is gone): they are hashed again next time.
            return [];
        }
    }
}
