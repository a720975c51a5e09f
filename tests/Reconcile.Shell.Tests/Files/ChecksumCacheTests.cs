using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// <c>--checksum</c> means content: a file rewritten in place (same inode, same size) with its
/// modification time set back is never taken for unchanged because of a cached hash, on either side.
/// </summary>
public sealed class ChecksumCacheTests : IDisposable
{
    private static readonly DateTime Old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest, string Cache) Mirrored()
    {
        var source = temp.Combine("source");
        var dest = temp.Combine("dest");
        var cache = temp.Combine("cache");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        foreach (var root in new[] { source, dest })
        {
            File.WriteAllText(Path.Combine(root, "a.txt"), "same bytes");
            File.SetLastWriteTimeUtc(Path.Combine(root, "a.txt"), Old);
        }
        // Fills both sides' caches with the hash of "same bytes".
        var first = CliRun.Of("files", "--checksum", "--cache-dir", cache, source, dest);
        Assert.True(first.ExitCode == ExitCodes.Done, first.ToString());
        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "--check", "--checksum", "--cache-dir", cache, source, dest).ExitCode);
        return (source, dest, cache);
    }

    /// <summary>Writes other bytes of the same length into the same inode and puts the old time back.</summary>
    private static void RewriteInPlace(string file, string text)
    {
        var inode = InodeOf(file);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        File.SetLastWriteTimeUtc(file, Old);
        Assert.Equal(inode, InodeOf(file));
    }

    private static string InodeOf(string file) => Command.MustRun("stat", "-c", "%i %s", file);

    /// <summary>
    /// A file rewritten in place with its time set back, on either side: <c>--check -c</c> sees the change,
    /// and a run makes DEST's copy SOURCE's bytes again, after which nothing is pending.
    /// </summary>
    [SkippableTheory]
    [InlineData("source", "new! bytes", "new! bytes")]
    [InlineData("dest", "rot! bytes", "same bytes")]
    public void AFileRewrittenInPlaceWithItsTimeSetBackIsNoticed(string side, string rewritten, string mirrored)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "change times are read by statx on Linux");
        var (source, dest, cache) = Mirrored();
        RewriteInPlace(Path.Combine(side == "source" ? source : dest, "a.txt"), rewritten);
        Assert.Equal(ExitCodes.ChangesPending, CliRun.Of("files", "--check", "--checksum", "--cache-dir", cache, source, dest).ExitCode);
        var run = CliRun.Of("files", "--checksum", "--cache-dir", cache, source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal(mirrored, File.ReadAllText(Path.Combine(dest, "a.txt")));
        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "--check", "--checksum", "--cache-dir", cache, source, dest).ExitCode);
    }

    /// <summary>
    /// Without a cache, both sides of every pair are read at once and compared: a DEST file with the same
    /// size and time but other bytes (at its start, at its end) is pending and then rewritten; files with
    /// the same bytes are left alone.
    /// </summary>
    [Theory]
    [InlineData("Same bytes, and some more", "Same bytes, and some more", false)]
    [InlineData("Same bytes, and some more", "same bytes, and some more", true)]
    [InlineData("Same bytes, and some more", "Same bytes, and some mor!", true)]
    public void WithoutACacheADestFileIsComparedWithItsSourceByteForByte(string sourceText, string destText, bool pending)
    {
        var source = temp.Combine("source");
        var dest = temp.Combine("dest");
        foreach (var (root, text) in new[] { (source, sourceText), (dest, destText) })
        {
            Directory.CreateDirectory(Path.Combine(root, "d"));
            File.WriteAllText(Path.Combine(root, "d/a.txt"), text);
            File.WriteAllText(Path.Combine(root, "b.txt"), "always the same");
            File.SetLastWriteTimeUtc(Path.Combine(root, "d/a.txt"), Old);
            File.SetLastWriteTimeUtc(Path.Combine(root, "b.txt"), Old);
            // the directories' times too: made a moment apart, they could fall in different seconds
            Directory.SetLastWriteTimeUtc(Path.Combine(root, "d"), Old);
            Directory.SetLastWriteTimeUtc(root, Old);
        }

        var check = CliRun.Of("files", "--check", "--checksum", "--no-cache", source, dest);
        Assert.True(check.ExitCode == (pending ? ExitCodes.ChangesPending : ExitCodes.Done), check.ToString());
        Assert.Equal(pending, check.Stdout.Split('\n').Any(line => line.StartsWith("update", StringComparison.Ordinal) && line.EndsWith(" d/a.txt", StringComparison.Ordinal)));
        Assert.DoesNotContain("b.txt", check.Stdout, StringComparison.Ordinal);
        var run = CliRun.Of("files", "--checksum", "--no-cache", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal(sourceText, File.ReadAllText(Path.Combine(dest, "d/a.txt")));
        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "--check", "--checksum", "--no-cache", source, dest).ExitCode);
    }

    /// <summary>
    /// Without a cache or a saved plan, pairs with the same bytes are compared, not hashed; what the plan
    /// needs of the other files is unchanged: a renamed file is still moved (found by its hash), files with
    /// equal contents at several paths are left alone, a new copy of a kept file's bytes is made, and a
    /// plan saved from the same trees (every hash a SHA-256 then) applies.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithoutACachePairsWithTheSameBytesNeedNoHashAndRenamesAreStillMoves(bool savedPlan)
    {
        var source = temp.Combine("source");
        var dest = temp.Combine("dest");
        foreach (var root in new[] { source, dest })
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "one.txt"), "shared bytes");
            File.WriteAllText(Path.Combine(root, "two.txt"), "shared bytes");
            File.WriteAllText(Path.Combine(root, "kept.txt"), "kept bytes");
        }
        File.WriteAllText(Path.Combine(source, "renamed.txt"), "bytes that moved");
        File.WriteAllText(Path.Combine(dest, "old-name.txt"), "bytes that moved");
        File.WriteAllText(Path.Combine(source, "copy-of-kept.txt"), "kept bytes");
        foreach (var file in Directory.GetFiles(source).Concat(Directory.GetFiles(dest)))
        {
            File.SetLastWriteTimeUtc(file, Old);
        }

        var plan = CliRun.Of("files", "-n", "--checksum", "--no-cache", source, dest);
        Assert.True(plan.ExitCode == ExitCodes.Done, plan.ToString());
        var lines = plan.Stdout.Split('\n').Where(line => line.Length > 0 && !line.StartsWith("summary", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, line => line.StartsWith("move", StringComparison.Ordinal) && line.Contains("old-name.txt", StringComparison.Ordinal) && line.EndsWith("renamed.txt", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith(" copy-of-kept.txt", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("one.txt", StringComparison.Ordinal) || line.Contains("two.txt", StringComparison.Ordinal) || line.EndsWith(" kept.txt", StringComparison.Ordinal));

        if (savedPlan)
        {
            var planFile = temp.Combine("plan.json");
            Assert.Equal(ExitCodes.Done, CliRun.Of("files", "-n", "--checksum", "--no-cache", "--plan-out", planFile, source, dest).ExitCode);
            var apply = CliRun.Of("apply", planFile);
            Assert.True(apply.ExitCode == ExitCodes.Done, apply.ToString());
        }
        else
        {
            var run = CliRun.Of("files", "--checksum", "--no-cache", source, dest);
            Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        }
        foreach (var name in new[] { "one.txt", "two.txt", "kept.txt", "renamed.txt", "copy-of-kept.txt" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(source, name)), File.ReadAllText(Path.Combine(dest, name)));
        }
        Assert.False(File.Exists(Path.Combine(dest, "old-name.txt")));
        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "--check", "--checksum", "--no-cache", source, dest).ExitCode);
    }

    [Fact]
    public void ACacheOfTheFormatWithoutChangeTimesIsDroppedQuietly()
    {
        var file = temp.Combine("hashes-old.bin");
        File.WriteAllBytes(file, [.. "RCHASH01"u8, .. new byte[64]]);
        var cache = Reconcile.Shell.Files.HashCache.Load(new System.IO.Abstractions.FileSystem(), file, "/any/root", out var warning);
        Assert.Equal(0, cache.Count);
        Assert.Null(warning);
        File.WriteAllBytes(file, [.. "RCHASH09"u8, .. new byte[64]]);
        Reconcile.Shell.Files.HashCache.Load(new System.IO.Abstractions.FileSystem(), file, "/any/root", out warning);
        Assert.NotNull(warning);
    }
}
