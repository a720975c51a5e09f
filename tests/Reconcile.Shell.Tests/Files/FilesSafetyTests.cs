using System.Diagnostics;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>Guards, backups, the run lock and errors in the middle of a run, on real temporary directories.</summary>
public sealed class FilesSafetyTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Write(string root, string relative, string content, DateTime? time = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        var seconds = content.Aggregate(17L, (h, c) => (h * 31 + c) % 10_000_000);
        File.SetLastWriteTimeUtc(path, time ?? new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddSeconds(seconds));
        return path;
    }

    private (string Source, string Dest) Sample() =>
        (temp.CopySample("files/source", "source"), temp.CopySample("files/dest", "dest"));

    [Fact]
    public void MissingSourceWithANonEmptyDestIsRefusedAndAMissingOneIntoNothingIsAUsageError()
    {
        var (_, dest) = Sample();
        var before = TreeSnapshot.Of(dest);
        var refused = CliRun.Of("files", temp.Combine("unmounted/data"), dest);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("does not exist", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, CliRun.Of("files", "--allow-empty-source", temp.Combine("unmounted/data"), dest).ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(dest));
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", temp.Combine("nope"), temp.Combine("new-dest")).ExitCode);
    }

    [Fact]
    public void SourceWithOnlyEmptyDirectoriesIsRefusedLikeAnEmptyOne()
    {
        var (_, dest) = Sample();
        var mountPoints = temp.Combine("mnt");
        Directory.CreateDirectory(Path.Combine(mountPoints, "disk1"));
        Directory.CreateDirectory(Path.Combine(mountPoints, "disk2"));
        var before = TreeSnapshot.Of(dest);
        var run = CliRun.Of("files", mountPoints, dest);
        Assert.Equal(ExitCodes.Refused, run.ExitCode);
        Assert.Contains("unmounted", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Of(dest));
    }

    [Fact]
    public void BackupDirKeepsEveryDeletedAndOverwrittenFileUnderItsPathAndNeverOverwritesABackup()
    {
        var (source, dest) = Sample();
        var backup = temp.Combine("backup");
        var oldNotes = File.ReadAllText(Path.Combine(dest, "docs/notes.txt"));
        var oldDraft = File.ReadAllText(Path.Combine(dest, "old-draft.txt"));
        Assert.Equal(0, CliRun.Of("files", "--backup-dir", backup, source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
        Assert.Equal(oldNotes, File.ReadAllText(Path.Combine(backup, "docs/notes.txt")));
        Assert.Equal(oldDraft, File.ReadAllText(Path.Combine(backup, "old-draft.txt")));

        // A second run that overwrites and deletes the same paths numbers its backups.
        var firstNotes = File.ReadAllText(Path.Combine(dest, "docs/notes.txt"));
        Write(source, "docs/notes.txt", "third version");
        Write(dest, "old-draft.txt", "a new draft in DEST");
        Assert.Equal(0, CliRun.Of("files", "--backup-dir", backup, source, dest).ExitCode);
        Assert.Equal(oldNotes, File.ReadAllText(Path.Combine(backup, "docs/notes.txt")));
        Assert.Equal(firstNotes, File.ReadAllText(Path.Combine(backup, "docs/notes.txt.~1~")));
        Assert.Equal("a new draft in DEST", File.ReadAllText(Path.Combine(backup, "old-draft.txt.~1~")));
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void FilesReplacedByMovesAndRoomMakingDeletesAreBackedUpToo()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var backup = temp.Combine("b");
        var big = new string('x', 5000);
        Write(source, "a", big + "moved");
        Write(source, "x/inner", "dir now");
        Write(dest, "old-name", big + "moved");
        Write(dest, "a", "obsolete a");
        Write(dest, "x", "a file where SOURCE has a directory");
        Assert.Equal(0, CliRun.Of("files", "--backup-dir", backup, source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
        Assert.Equal("obsolete a", File.ReadAllText(Path.Combine(backup, "a")));
        Assert.Equal("a file where SOURCE has a directory", File.ReadAllText(Path.Combine(backup, "x")));
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void BackupOnAnotherFileSystemIsCopiedThenRemovedFromDest()
    {
        const string shm = "/dev/shm";
        Skip.If(OperatingSystem.IsWindows() || !Directory.Exists(shm), "needs a second filesystem: /dev/shm does not exist here");
        Skip.If(Device(shm) == Device(temp.Path), $"needs a second filesystem: /dev/shm and {temp.Path} are on the same one");
        var (source, dest) = Sample();
        var backup = Path.Combine(shm, "reconcile-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var oldDraft = File.ReadAllText(Path.Combine(dest, "old-draft.txt"));
            File.SetUnixFileMode(Path.Combine(dest, "old-draft.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Equal(0, CliRun.Of("files", "--backup-dir", backup, source, dest).ExitCode);
            Assert.Equal(oldDraft, File.ReadAllText(Path.Combine(backup, "old-draft.txt")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(backup, "old-draft.txt")));
            Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
            Assert.Empty(ContentSet.Leftovers(backup));
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
        }
    }

    [Fact]
    public void BackupDirMustLieOutsideSourceAndDest()
    {
        var (source, dest) = Sample();
        var before = TreeSnapshot.Of(dest);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--backup-dir", Path.Combine(source, "bak"), source, dest).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--backup-dir", Path.Combine(dest, "bak"), source, dest).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--backup-dir", temp.Path, source, dest).ExitCode);
        if (!OperatingSystem.IsWindows())
        {
            var sneaky = temp.Combine("sneaky");
            File.CreateSymbolicLink(sneaky, source);
            Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--backup-dir", Path.Combine(sneaky, "bak"), source, dest).ExitCode);
        }
        Assert.Equal(before, TreeSnapshot.Of(dest));
        Assert.False(Directory.Exists(Path.Combine(source, "bak")));
    }

    [Fact]
    public void ASecondRunOnTheSameDestExitsFourAndNamesTheHolderWhateverTheSpelling()
    {
        var (source, dest) = Sample();
        var before = TreeSnapshot.Of(dest);
        using (RunLock.Acquire(RunLock.ForDirectory(dest), dest))
        {
            var spellings = new List<string> { dest, dest + "/", Path.Combine(dest, "..", "dest"), Path.Combine(dest, ".") };
            if (!OperatingSystem.IsWindows())
            {
                var alias = temp.Combine("alias");
                File.CreateSymbolicLink(alias, temp.Path);
                spellings.Add(Path.Combine(alias, "dest"));
            }
            foreach (var spelling in spellings)
            {
                var run = CliRun.Of("files", source, spelling);
                Assert.True(ExitCodes.Locked == run.ExitCode, spelling + "\n" + run);
                Assert.Contains($"process {Environment.ProcessId} on host {Environment.MachineName}, since ", run.Stderr, StringComparison.Ordinal);
            }
            // A dry run writes nothing, so it does not wait for the lock.
            Assert.Equal(0, CliRun.Of("files", "-n", source, dest).ExitCode);
            Assert.Equal(before, TreeSnapshot.Of(dest));
        }
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
    }

    [SkippableFact]
    public void TheBuiltProgramRespectsTheLockThoughItsRuntimeTakesNoFileLocks()
    {
        Skip.If(OperatingSystem.IsWindows(), "the run lock is a Unix flock");
        // The program's runtime configuration turns .NET's own locking of opened files off: the run lock
        // must not depend on it.
        var config = File.ReadAllText(Path.ChangeExtension(ExeRun.Dll, ".runtimeconfig.json"));
        Assert.Contains("\"System.IO.DisableFileLocking\": true", config, StringComparison.Ordinal);
        var (source, dest) = Sample();
        var before = TreeSnapshot.Of(dest);
        using (RunLock.Acquire(RunLock.ForDirectory(dest), dest))
        {
            var run = ExeRun.Of(null, "files", source, dest);
            Assert.True(ExitCodes.Locked == run.ExitCode, run.ToString());
            Assert.Contains($"process {Environment.ProcessId} on host {Environment.MachineName}, since ", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, TreeSnapshot.Of(dest));
        }
        Assert.Equal(0, ExeRun.Of(null, "files", "-q", source, dest).ExitCode);
    }

    [SkippableFact]
    public void TheLockOfAKilledRunIsReleasedByTheKernel()
    {
        Skip.If(OperatingSystem.IsWindows(), "the kill hook sends SIGKILL, which only Unix has");
        var (source, dest) = Sample();
        var cache = temp.Combine("cache");
        var env = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache };
        // Step 1 comes right after the lock is taken: the process dies holding it.
        var killed = ExeRun.Of(new Dictionary<string, string>(env) { [KillPoint.Variable] = "1" }, "files", source, dest);
        Assert.Equal(137, killed.ExitCode);
        var lockFile = Directory.GetFiles(Path.Combine(cache, "reconcile", "locks"), "*.lock").Single();
        Assert.True(File.Exists(lockFile + ".holder"), "the killed run left its lock files behind");
        var again = ExeRun.Of(env, "files", source, dest);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void ASourceFileThatVanishesOrChangesAfterTheScanFailsAloneAndLeavesNoPartialFile()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(dest);
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Write(source, "stays", "fine", time);
        Write(source, "changes", "after the scan", time);
        var meta = new FileMeta(time, 420);
        var plan = Seq(
            (FileAction)new CopyFile("gone", 10, meta),
            new CopyFile("changes", "after the scan".Length, new FileMeta(time.AddSeconds(-5), 420)),
            new CopyFile("stays", 4, meta),
            new DeleteFile("nothing-here"));
        var result = Runner(source, dest).Execute(plan);
        Assert.Equal(3, result.Failures.Count);
        Assert.Contains(result.Failures, f => PlanText.Squeeze(f).StartsWith("copy 10 B gone", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("changed while it was copied", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("skipped because an earlier action failed", StringComparison.Ordinal));
        Assert.Equal(["stays"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName));
    }

    [Fact]
    public void DeletionsRunSideBySideButNoneAfterAFailure()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var extras = Enumerable.Range(0, 40).Select(i => $"dir{i % 3}/extra{i}").ToList();
        foreach (var extra in extras)
        {
            Write(dest, extra, extra, time);
        }
        var deletes = extras.Select(e => (FileAction)new DeleteFile(e)).ToSeq();

        var afterFailure = Runner(source, dest)
            .Execute(Seq((FileAction)new CopyFile("gone", 10, new FileMeta(time, 420))).Concat(deletes));
        Assert.Equal(1 + extras.Count, afterFailure.Failures.Count);
        Assert.Equal(extras.Count, afterFailure.Failures.Count(f => f.Contains("skipped because an earlier action failed", StringComparison.Ordinal)));
        Assert.All(extras, e => Assert.True(File.Exists(Path.Combine(dest, e)), e));

        var clean = Runner(source, dest).Execute(deletes);
        Assert.Empty(clean.Failures);
        Assert.Equal(deletes.ToArray(), clean.Applied.ToArray());
        Assert.All(extras, e => Assert.False(File.Exists(Path.Combine(dest, e)), e));
    }

    [SkippableFact]
    public void ALinkThatAppearsAfterTheScanIsNeverWrittenThroughNorRead()
    {
        Skip.If(OperatingSystem.IsWindows(), "creating symbolic links needs Unix");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(dest);
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Write(source, "sub/file", "new", time);
        Write(source, "secret-now", "x", time);
        Write(outside, "secret", "private bytes");
        // Planned when DEST/sub was a directory and SOURCE/secret-now a file; both became links since.
        File.CreateSymbolicLink(Path.Combine(dest, "sub"), outside);
        File.Delete(Path.Combine(source, "secret-now"));
        File.CreateSymbolicLink(Path.Combine(source, "secret-now"), Path.Combine(outside, "secret"));
        var meta = new FileMeta(time, 420);
        var plan = Seq(
            (FileAction)new CopyFile("sub/file", 3, meta),
            new MakeDirectory("sub/deeper"),
            new TouchFile("sub", meta),
            new CopyFile("secret-now", 1, meta));
        var result = Runner(source, dest).Execute(plan);
        Assert.Equal(4, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Contains("symbolic link", f, StringComparison.Ordinal));
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(dest, "secret-now")));
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void UnreadableFilesAndDirectoriesAreReportedAndTheRestIsApplied()
    {
        Skip.If(OperatingSystem.IsWindows(), "needs Unix permission bits");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "ok/readable", "r");
        var secret = Write(source, "secret.txt", "no entry");
        Write(source, "closed/inside", "hidden");
        Write(dest, "closed/kept", "DEST content under an unreadable SOURCE directory");
        File.SetUnixFileMode(secret, UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(source, "closed"), UnixFileMode.None);
        CliRun run;
        if (ExeRun.IsRoot)
        {
            // Root reads through permission bits: run as nobody, who owns DEST and the lock's cache.
            var cache = temp.Combine("cache");
            Directory.CreateDirectory(cache);
            File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_101_101);
            Chown(dest, cache);
            run = ExeRun.AsNobody(temp.Combine("program"), new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, ["HOME"] = cache }, "files", source, dest);
        }
        else
        {
            run = CliRun.Of("files", source, dest);
        }
        File.SetUnixFileMode(Path.Combine(source, "closed"), (UnixFileMode)0b111_101_101);
        Assert.True(run.ExitCode == ExitCodes.SomeActionsFailed, run.ToString());
        Assert.Contains("secret.txt", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("closed", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("r", File.ReadAllText(Path.Combine(dest, "ok/readable")));
        Assert.False(File.Exists(Path.Combine(dest, "secret.txt")));
        Assert.Equal("DEST content under an unreadable SOURCE directory", File.ReadAllText(Path.Combine(dest, "closed/kept")));
        Assert.Empty(ContentSet.Leftovers(dest));
    }

    [SkippableFact]
    public void AFullDiskFailsTheFilesThatDoNotFitAndNothingIsHalfWritten()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && ExeRun.IsRoot, "mounting a small tmpfs as a full disk needs root on Linux");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(dest);
        Skip.IfNot(Mount(dest, "size=256k"), "mount -t tmpfs failed: this machine does not let root mount filesystems (a container?)");
        try
        {
            Write(source, "a-small", "small");
            Write(source, "b-big", new string('x', 600_000));
            Write(source, "c-small", "also small");
            var run = CliRun.Of("files", source, dest);
            Assert.True(run.ExitCode == ExitCodes.SomeActionsFailed, run.ToString());
            Assert.Contains("b-big", run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(["a-small", "c-small"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Exec("umount", dest);
        }
    }

    [Fact]
    public void AnInjectedWriteFailureFailsThatFileAloneAndLeavesNoPartialFile()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "a-small", "small");
        Write(source, "big-file", new string('x', 10_000));
        Write(source, "c-small", "also small");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = new FilesRun(LocalAccess.Through(new FullDiskFileSystem()), stdout, stderr).Run(
            new FilesRequest(source, dest, DryRun: false, Check: false, Json: false, Checksum: false, Excludes: [], MaxDelete: null, AllowEmptySource: false, Quiet: false, NoCache: true));
        Assert.True(code == ExitCodes.SomeActionsFailed, stderr.ToString());
        Assert.Contains("big-file", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("No space left on device", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(["a-small", "c-small"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static bool Mount(string at, string options) => Exec("mount", "-t", "tmpfs", "-o", options, "tmpfs", at) == 0;

    private static void Chown(params string[] paths)
    {
        foreach (var path in paths)
        {
            Assert.Equal(0, Exec("chown", "-R", "65534:65534", path));
        }
    }

    private static int Exec(string command, params string[] args) => Command.Run(command, args).ExitCode;

    private static string Device(string path) => Command.MustRun("stat", "-c", "%d", path).Trim();

    private static Seq<FileAction> Seq(params FileAction[] actions) => actions.ToSeq();

    /// <summary>The runner between two local directories, reached as the program reaches them.</summary>
    private static MirrorRunner Runner(string source, string dest) =>
        new(new LocalEndpoint(LocalAccess.OfThisMachine(), source), new LocalEndpoint(LocalAccess.OfThisMachine(), dest));
}
