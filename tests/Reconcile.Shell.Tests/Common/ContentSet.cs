using System.Security.Cryptography;

namespace Reconcile.Shell.Tests.Common;

/// <summary>The SHA-256 of every regular file under some roots: what "no content was lost" compares.</summary>
public static class ContentSet
{
    public static HashSet<string> Of(params string[] roots)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots.Where(Directory.Exists))
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                if (new FileInfo(path).LinkTarget is null)
                {
                    set.Add(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
                }
            }
        }
        return set;
    }

    /// <summary>Files a run must never leave behind: temporary copies and stash folders.</summary>
    public static List<string> Leftovers(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => Path.GetFileName(p).StartsWith(".reconcile-", StringComparison.Ordinal))
            .ToList();
}
