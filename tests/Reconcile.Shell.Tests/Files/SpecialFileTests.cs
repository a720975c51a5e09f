using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// Nothing but regular files is ever opened for reading: a FIFO in SOURCE would block a read forever, a
/// character device like /dev/zero would be read until DEST's disk is full. Such entries are skipped
/// with a warning, never opened, and DEST leaves their paths alone.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void AFifoInSourceIsSkippedWithAWarningAndNeverOpened()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo and the native scan are Linux's");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a.txt"), "a");
        Command.MustRun("mkfifo", Path.Combine(source, "pipe"));
        foreach (var checksum in new[] { false, true })
        {
            var run = checksum ? CliRun.Of("files", "--checksum", "--no-cache", source, dest) : CliRun.Of("files", source, dest);
            Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
            Assert.Contains($"skipping special file (FIFO, socket or device) {Path.Combine(source, "pipe")}", run.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(["a.txt"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void ACharacterDeviceInSourceIsNeverRead()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && ExeRun.IsRoot, "making a device node needs root on Linux");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        Command.MustRun("mknod", Path.Combine(source, "zero"), "c", "1", "5");
        File.WriteAllText(Path.Combine(source, "b.txt"), "b");
        var run = CliRun.Of("files", "--checksum", "--no-cache", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Contains("skipping special file (FIFO, socket or device)", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["b.txt"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void AFifoInDestThatSourceLacksIsRemovedWithoutBeingOpened()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo and the native scan are Linux's");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(source, "a.txt"), "a");
        Command.MustRun("mkfifo", Path.Combine(dest, "stale-pipe"));
        var run = CliRun.Of("files", "--checksum", "--no-cache", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal(["a.txt"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
    }
}
