using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// Ownership is not mirrored, so every copy belongs to the user who runs reconcile: a setuid or setgid
/// bit of a SOURCE file owned by someone else must not be given to it (as root, that would turn a user's
/// setuid program into a setuid-root one). The bits of a file the runner owns are kept.
/// </summary>
public sealed class SetIdBitTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ASetuidFileOfAnotherUserIsCopiedWithoutItsSetIdBitsAndTheMirrorConverges()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && ExeRun.IsRoot, "giving a file to another user needs root on Linux");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        var theirs = Path.Combine(source, "theirs");
        var mine = Path.Combine(source, "mine");
        File.WriteAllText(theirs, "#!/bin/sh\n");
        File.WriteAllText(mine, "#!/bin/sh\n");
        File.SetUnixFileMode(theirs, (UnixFileMode)0b110_111_101_101); // 6755
        File.SetUnixFileMode(mine, (UnixFileMode)0b110_111_101_101);
        Command.MustRun("chown", "65534:65534", theirs);

        var run = CliRun.Of("files", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(dest, "theirs")));
        Assert.Equal((UnixFileMode)0b110_111_101_101, File.GetUnixFileMode(Path.Combine(dest, "mine")));
        Assert.Equal(ExitCodes.Done, CliRun.Of("files", "--check", source, dest).ExitCode);
    }
}
