using System.Security.Cryptography;

namespace Reconcile.Shell.Tests.Common;

/// <summary>Everything a mirror must reproduce about a directory tree, read from disk, for comparisons.</summary>
public sealed record TreeSnapshot(SortedDictionary<string, string> Entries)
{
    public static TreeSnapshot Of(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                entries[relative] = "link -> " + info.LinkTarget;
            }
            else if (Directory.Exists(path))
            {
                entries[relative] = "dir";
            }
            else
            {
                var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
                var mode = OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(path);
                entries[relative] = $"file {hash} {info.LastWriteTimeUtc.Ticks} {mode}";
            }
        }
        return new TreeSnapshot(entries);
    }

    public bool Equals(TreeSnapshot? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => Entries.Count;

    public override string ToString() => string.Join("\n", Entries.Select(e => $"{e.Key}: {e.Value}"));
}
