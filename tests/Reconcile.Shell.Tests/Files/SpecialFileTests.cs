using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// Nothing but regular files is ever opened for reading: a FIFO in SOURCE would block a read forever, a
/// character device like /dev/zero would be read until DEST's disk is full. Such entries are made again
/// in DEST from their description (a device only by root), never opened.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void AFifoInSourceIsMadeAgainInDestAndNeverOpened()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo and the native scan are Linux's");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a.txt"), "a");
        Command.MustRun("mkfifo", "-m", "640", Path.Combine(source, "pipe"));
        foreach (var checksum in new[] { false, true })
        {
            var run = checksum ? CliRun.Of("files", "--checksum", "--no-cache", source, dest) : CliRun.Of("files", source, dest);
            Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        }
        Assert.Equal(["a.txt", "pipe"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("fifo 640", Command.MustRun("stat", "-c", "%F %a", Path.Combine(dest, "pipe")).Trim());
    }

    [SkippableFact]
    public void ACharacterDeviceInSourceIsMadeAgainByRootNeverRead()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && ExeRun.IsRoot, "making a device node needs root on Linux");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        Command.MustRun("mknod", Path.Combine(source, "zero"), "c", "1", "5");
        File.WriteAllText(Path.Combine(source, "b.txt"), "b");
        var run = CliRun.Of("files", "--checksum", "--no-cache", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal("character special file 1:5", Command.MustRun("stat", "-c", "%F %Hr:%Lr", Path.Combine(dest, "zero")).Trim());
        Assert.Equal(["b.txt", "zero"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
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
