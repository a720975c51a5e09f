using System.Globalization;
using System.Security.Cryptography;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// A SHA-256 over a canonical listing of a gathered tree: one line per entry (path, size, modification
/// time in nanoseconds, mode, hash where the gather computed one, kind, owner, link target, device), per
/// directory, per directory's metadata and per pinned directory, in ordinal order. Two gathers of an
/// unchanged tree give the same fingerprint; a saved plan records it so that <c>apply</c> can tell that its inputs have changed.
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
                $"f\t{path}\t{e.Size}\t{e.ModifiedNs}\t{e.Mode}\t{e.Hash?.ToString() ?? "-"}\t{e.Kind}\t{e.Owner}:{e.Group}\t{e.LinkTarget}\t{e.Device}"));
        }
        foreach (var (dir, meta) in tree.DirectoryMeta)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"m\t{dir}\t{meta.ModifiedNs}\t{meta.Mode}\t{meta.Owner}:{meta.Group}"));
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
            sha.AppendData(NameBytes.Encode(line + "\n"));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
