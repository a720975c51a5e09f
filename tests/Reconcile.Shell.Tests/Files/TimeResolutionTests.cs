using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>--modify-window as rsync has it, and the probe of DEST's time resolution that leaves DEST as it was.</summary>
public sealed class TimeResolutionTests : IDisposable
{
    private static readonly DateTime Time = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Write(string root, string name, DateTime time)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, name);
        File.WriteAllText(path, "same bytes");
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }

    [Fact]
    public void TimesWithinTheModifyWindowAreTheSame()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "f", Time.AddMilliseconds(500));
        Write(dest, "f", Time.AddMilliseconds(1200));
        Assert.Contains("touch", CliRun.Of("files", "-n", "--no-cache", source, dest).Stdout, StringComparison.Ordinal);
        var within = CliRun.Of("files", "-n", "--no-cache", "--modify-window", "1", source, dest);
        Assert.True(within.Stdout.StartsWith("summary: nothing to do", StringComparison.Ordinal), within.ToString());
    }

    [Fact]
    public void AModifyWindowThatIsNotANumberIsBadInput()
    {
        var run = CliRun.Of("files", "--modify-window", "abc", temp.Combine("s"), temp.Combine("d"));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("--modify-window takes a whole number of seconds, not 'abc'", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheProbeFindsNanosecondsHereAndLeavesDestAsItWas()
    {
        Skip.IfNot(NativeFiles.IsAvailable, "the probe uses the native calls (Linux)");
        var dest = temp.Combine("d");
        Write(dest, "f", Time);
        var rootTime = FileTime.FromDateTime(Time) + 123_456_700;
        NativeFiles.SetMeta(dest, new FileMeta(rootTime, 0b111_101_101), isLink: false);
        var resolution = new LocalEndpoint(LocalAccess.OfThisMachine(), dest).ProbeTimeResolution();
        Assert.True(resolution < TimeSpan.FromSeconds(1), resolution.ToString());
        Assert.Equal(["f"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
        Assert.True(NativeFiles.TryStat(dest, out var after));
        Assert.Equal(rootTime, after.ModifiedNs);
    }

    /// <summary>
    /// On a file system that keeps whole seconds (ext4 with 128-byte inodes, as ext3 was), a mirror of
    /// files and directories with nanosecond times converges without <c>--modify-window</c>, and DEST
    /// lists exactly as <c>rsync -a --delete</c> leaves it on the same file system.
    /// </summary>
    [SkippableFact]
    public void OnAFileSystemOfWholeSecondsTheMirrorConvergesAndListsAsRsyncLeavesIt()
    {
        Skip.IfNot(NativeFiles.IsAvailable && ExeRun.IsRoot, "mounting a file system image needs root on Linux (CI runs as root)");
        Skip.IfNot(Command.Exists("rsync"), "rsync is not installed (.ci/run installs it)");
        var image = temp.Combine("seconds.img");
        var mount = temp.Combine("mnt");
        Directory.CreateDirectory(mount);
        Command.MustRun("truncate", "-s", "32M", image);
        var made = Command.Run("mkfs.ext4", "-q", "-F", "-I", "128", "-O", "^has_journal", image);
        Skip.If(made.ExitCode != 0, $"cannot make an ext4 image here: {made.Stderr.Trim()}");
        var mounted = Command.Run("mount", "-o", "loop", image, mount);
        Skip.If(mounted.ExitCode != 0, $"cannot mount a loop image here: {mounted.Stderr.Trim()}");
        try
        {
            var source = temp.Combine("s");
            Write(source, "f", Time.AddMilliseconds(700));
            Write(Path.Combine(source, "d"), "g", Time.AddMilliseconds(250));
            NativeFiles.SetMeta(Path.Combine(source, "d"), new FileMeta(FileTime.FromDateTime(Time) + 999_999_999, 0b111_101_101), isLink: false);
            var ours = Path.Combine(mount, "ours");
            var theirs = Path.Combine(mount, "rsync");

            var run = CliRun.Of("files", "--no-cache", source, ours);
            Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
            Command.MustRun("rsync", "-a", "--delete", source + "/", theirs + "/");

            // The file system kept whole seconds: what makes this the case under test.
            Assert.True(NativeFiles.TryStat(Path.Combine(ours, "f"), out var stored));
            Assert.Equal(0, stored.ModifiedNs % 1_000_000_000);
            Assert.Equal(TreeSpec.Listing(theirs), TreeSpec.Listing(ours));
            var check = CliRun.Of("files", "--check", "--no-cache", source, ours);
            Assert.True(check.ExitCode == ExitCodes.Done, check.ToString());
        }
        finally
        {
            Command.Run("umount", mount);
        }
    }
}
