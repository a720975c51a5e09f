using System.IO.Abstractions;
using Reconcile.Core.Files;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

public sealed class TreeScannerTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void NativeAndPortableScansSeeTheSameTree()
    {
        var root = temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(root, "a/b/empty"));
        Directory.CreateDirectory(Path.Combine(root, "skip"));
        File.WriteAllText(Path.Combine(root, "a/one.txt"), "1");
        File.WriteAllText(Path.Combine(root, "a/b/two.txt"), "22");
        File.WriteAllText(Path.Combine(root, "a/x.tmp"), "tmp");
        File.WriteAllText(Path.Combine(root, "skip/inside"), "s");
        File.WriteAllText(Path.Combine(root, "é z"), "unicode");
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "a"));
            File.SetUnixFileMode(Path.Combine(root, "a/one.txt"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        var excludes = new[] { PathGlob.Parse("*.tmp"), PathGlob.Parse("skip/") };

        var native = new TreeScanner(LocalAccess.OfThisMachine()).Scan(root, excludes, asDest: true);
        var portable = new TreeScanner(LocalAccess.Through(new FileSystem())).Scan(root, excludes, asDest: true);

        Assert.Equal(Sorted(native.Tree.Files), Sorted(portable.Tree.Files));
        Assert.Equal("a", native.Tree.Files["link"].LinkTarget?[(root.Length + 1)..]);
        Assert.Equal(native.Tree.Directories.Order(StringComparer.Ordinal), portable.Tree.Directories.Order(StringComparer.Ordinal));
        Assert.Equal(native.Tree.Pinned.Order(StringComparer.Ordinal), portable.Tree.Pinned.Order(StringComparer.Ordinal));
        Assert.Equal(native.Skipped, portable.Skipped);
        Assert.Equal(new[] { "a", "a/b", "a/b/empty" }, native.Tree.Directories.Order(StringComparer.Ordinal));
        Assert.Contains("a/b/two.txt", native.Tree.Files.Keys);
        Assert.DoesNotContain("a/x.tmp", native.Tree.Files.Keys);
        Assert.Contains("a", native.Tree.Pinned);
        Assert.Equal(2, native.Tree.Files["a/b/two.txt"].Size);
    }

    /// <summary>
    /// What both ways of scanning tell: the kind, size, bits and link target of each entry, and the time of
    /// a regular file to the 100 ns the portable one reads (owners, nanoseconds and a link's own time only
    /// the native calls read).
    /// </summary>
    private static List<string> Sorted(IReadOnlyDictionary<string, FileEntry> files) =>
        [.. files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => $"{f.Key} {f.Value.Kind} {f.Value.Size} {(f.Value.IsRegular ? f.Value.ModifiedUtc.Ticks : 0)} {f.Value.Mode} {f.Value.LinkTarget}")];
}
