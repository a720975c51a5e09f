using System.Text.RegularExpressions;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>The hash cache end to end: real temporary directories, counts read from the --verbose line.</summary>
public sealed partial class HashCacheTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string Source => temp.Combine("source");

    private string Dest => temp.Combine("dest");

    private string Cache => temp.Combine("cache");

    private static void Write(string root, string relative, string content, int minutes = 0)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddMinutes(minutes));
    }

    private void Trees()
    {
        Write(Source, "a.txt", "alpha");
        Write(Source, "dir/b.txt", "bravo");
        Write(Source, "c.txt", "charlie");
        Write(Dest, "a.txt", "alpha");
        Write(Dest, "dir/b.txt", "bravo");
        Write(Dest, "c.txt", "charlie");
    }

    private (int Hashed, int FromCache, string Stderr) Run(params string[] extra)
    {
        var run = CliRun.Of(["files", "-c", "-v", "--cache-dir", Cache, .. extra, Source, Dest]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var match = Counts().Match(run.Stderr);
        Assert.True(match.Success, run.ToString());
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(match.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture),
            run.Stderr);
    }

    private static (int Hashed, int FromCache) Counted((int Hashed, int FromCache, string Stderr) run) => (run.Hashed, run.FromCache);

    [GeneratedRegex(@"hashed (\d+) \+ (\d+), from cache (\d+) \+ (\d+)")]
    private static partial Regex Counts();

    [Fact]
    public void ASecondRunHashesNothing()
    {
        Trees();
        Assert.Equal((6, 0), Counted(Run()));
        Assert.Equal((0, 6), Counted(Run()));
        Assert.Equal(2, Directory.GetFiles(Cache).Length);
    }

    [Fact]
    public void AChangedSizeTimeOrInodeIsHashedAgain()
    {
        Trees();
        Run();
        Write(Source, "a.txt", "alphas");
        File.SetLastWriteTimeUtc(Path.Combine(Dest, "c.txt"), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        var replaced = Path.Combine(Source, "dir/b.txt");
        var time = File.GetLastWriteTimeUtc(replaced);
        File.Move(replaced, replaced + ".old");
        File.Copy(replaced + ".old", replaced);
        File.Delete(replaced + ".old");
        File.SetLastWriteTimeUtc(replaced, time);
        var dryRun = Run("--dry-run");
        Assert.Equal(OperatingSystem.IsLinux() ? 3 : 2, dryRun.Hashed);
    }

    [Fact]
    public void ACorruptCacheIsIgnoredWithAWarning()
    {
        Trees();
        Run();
        foreach (var file in Directory.GetFiles(Cache))
        {
            var bytes = File.ReadAllBytes(file);
            bytes[^5] ^= 0xFF;
            File.WriteAllBytes(file, bytes);
        }
        var again = Run();
        Assert.Equal((6, 0), Counted(again));
        Assert.Contains("ignoring the hash cache", again.Stderr, StringComparison.Ordinal);
        Assert.Equal((0, 6), Counted(Run()));
    }

    [Fact]
    public void NoCacheWritesNothing()
    {
        Trees();
        Run("--no-cache");
        Assert.False(Directory.Exists(Cache));
    }

    [Fact]
    public void DryRunAndCheckWriteNothing()
    {
        Trees();
        Write(Source, "new.txt", "delta");
        Run("--dry-run");
        var check = CliRun.Of("files", "-c", "--check", "--cache-dir", Cache, Source, Dest);
        Assert.Equal(5, check.ExitCode);
        Assert.False(Directory.Exists(Cache));
    }

    [Fact]
    public void ACacheDirectoryInsideSourceIsNotUsed()
    {
        Trees();
        var before = TreeSnapshot.Of(Source);
        var run = CliRun.Of("files", "-c", "--cache-dir", Path.Combine(Source, ".cache"), Source, Dest);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("not using the hash cache", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Of(Source));
    }
}
