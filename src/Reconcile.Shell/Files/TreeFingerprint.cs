using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// A SHA-256 over a canonical listing of a gathered tree: one line per file (path, size, modification
/// time in ticks, mode, hash where the gather computed one, link flag), per directory and per pinned
/// directory, in ordinal order. Two gathers of an unchanged tree give the same fingerprint; a saved plan
/// records it so that <c>apply</c> can tell that its inputs have changed.
/// </summary>
public static class TreeFingerprint
{
    public static string Of(FileTree tree)
    {
        var lines = new List<string>(tree.Files.Count + tree.Directories.Count);
        foreach (var (path, e) in tree.Files)
        {
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"f\t{path}\t{e.Size}\t{e.ModifiedUtc.Ticks}\t{e.Mode}\t{e.Hash?.ToString() ?? "-"}\t{(e.IsLink ? "link" : "file")}"));
        }
        foreach (var dir in tree.Directories)
        {
            lines.Add("d\t" + dir);
        }
        foreach (var dir in tree.Pinned)
        {
            lines.Add("p\t" + dir);
        }
        lines.Sort(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
