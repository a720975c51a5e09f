using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Files.Remote;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>
/// <c>reconcile files</c> with a remote root, end to end, through the built program against a real
/// OpenSSH server on 127.0.0.1 (<see cref="SshTestServer"/>). The server is this machine, so the remote
/// tree is also a local directory the tests can list, compare with <c>rsync -e ssh</c>, and check.
/// SFTP keeps whole seconds of modification time, so trees are compared at that resolution.
/// </summary>
[Collection(SshTestServer.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RemoteMirrorTests : IDisposable
{
    private static readonly DateTime Time = new(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string Source => temp.Combine("source");

    /// <summary>The remote DEST as a path on this machine.</summary>
    private string RemotePath => temp.Combine("remote");

    /// <summary>The host alias the remote roots go through: the one that allows commands, unless a test says otherwise.</summary>
    private string alias = SshTestServer.Alias;

    private string RemoteDest => SshTestServer.Remote(alias, RemotePath);

    private CliRun Run(params string[] args) => ExeRun.Of(SshTestServer.Environment(temp.Combine("cache")), args);

    private CliRun Files(params string[] args) => Run(["files", .. args]);

    private static void Write(string root, string relative, string content, int mode = 0b110_100_100, int seconds = 0)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        File.SetLastWriteTimeUtc(path, Time.AddSeconds(seconds).AddTicks(1234567));
    }

    /// <summary>Every entry under a root: directories, and files with bytes, whole-second time and permission bits.</summary>
    private static List<string> Listing(string root) =>
        [.. Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Directory.Exists(p)
                ? $"d {Path.GetRelativePath(root, p)}"
                : $"f {Path.GetRelativePath(root, p)} {File.ReadAllText(p)} {File.GetLastWriteTimeUtc(p).Ticks / TimeSpan.TicksPerSecond} {(int)File.GetUnixFileMode(p)}")
            .Order(StringComparer.Ordinal)];

    /// <summary>The two trees list the same, and planning again from <paramref name="sourceRoot"/> to <paramref name="destRoot"/> (as the run names them) finds nothing to do.</summary>
    private void AssertMirrors(string source, string dest, string sourceRoot, string destRoot)
    {
        Assert.Equal(Listing(source), Listing(dest));
        var again = Files("-n", sourceRoot, destRoot);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing to do", again.Stdout, StringComparison.Ordinal);
    }

    private void AssertRemoteMirrors() => AssertMirrors(Source, RemotePath, Source, RemoteDest);

    private void AMixedTree()
    {
        Write(Source, "top.txt", "top", seconds: 1);
        Write(Source, "docs/report.txt", "report text", seconds: 2);
        Write(Source, "docs/sub/deep/leaf.bin", "leaf", 0b111_101_101, seconds: 3);
        Write(Source, "unicode/café ünïcode 日本.txt", "unicode", seconds: 4);
        Write(Source, "spaced name/with  spaces.txt", "spaces", 0b110_000_000, seconds: 5);
        Write(Source, "same/a", "same content", seconds: 6);
        Write(Source, "same/b", "same content", seconds: 6);
        Write(Source, "empty.txt", "", seconds: 7);
        Directory.CreateDirectory(Path.Combine(Source, "empty dir/nested empty"));
    }

    /// <summary>
    /// What a remote side keeps, listed by GNU find: every entry's kind, permission bits, whole-second
    /// time and link target (links not followed), the root's own included.
    /// </summary>
    private static string KeptListing(string root) =>
        Command.MustRun("find", root, "-printf", "%P|%y|%m|%Ts|%l\\n");

    /// <summary>
    /// A tree of links (relative, absolute, dangling, to a directory), directories of several modes and
    /// a directory time, with every time set (the links' own ones too).
    /// </summary>
    private static void ATreeOfLinksAndModes(string root)
    {
        Write(root, "top.txt", "top", seconds: 1);
        Write(root, "docs/report.txt", "report text", seconds: 2);
        Directory.CreateDirectory(Path.Combine(root, "private"));
        Write(root, "private/key", "secret", 0b110_000_000, seconds: 3);
        Directory.CreateDirectory(Path.Combine(root, "shared/empty"));
        File.CreateSymbolicLink(Path.Combine(root, "relative link"), "top.txt");
        File.CreateSymbolicLink(Path.Combine(root, "docs/up"), "../top.txt");
        File.CreateSymbolicLink(Path.Combine(root, "absolute"), "/nonexistent/elsewhere");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "missing file");
        Directory.CreateSymbolicLink(Path.Combine(root, "docs link"), "docs");
        foreach (var link in new[] { "relative link", "docs/up", "absolute", "dangling", "docs link" })
        {
            Command.MustRun("touch", "-h", "-d", "@1700000000", "--", Path.Combine(root, link));
        }
        File.SetUnixFileMode(Path.Combine(root, "private"), (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(Path.Combine(root, "shared"), (UnixFileMode)0b010_111_111_101);
        File.SetUnixFileMode(Path.Combine(root, "shared/empty"), (UnixFileMode)0b111_101_000);
        foreach (var dir in new[] { "docs", "private", "shared/empty", "shared", "" })
        {
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), Time.AddSeconds(dir.Length));
        }
    }

    [SkippableFact]
    public void SourceLinksAndDirectoryModesAreMirroredToARemoteDestAndASecondRunHasNothingToDo()
    {
        _ = SshTestServer.Home;
        Skip.IfNot(Command.Exists("find"), "GNU find is not installed");
        ATreeOfLinksAndModes(Source);

        var run = Files(Source, RemoteDest);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(KeptListing(Source), KeptListing(RemotePath));
        Assert.Equal("top.txt", new FileInfo(Path.Combine(RemotePath, "relative link")).LinkTarget);
        Assert.Equal("/nonexistent/elsewhere", new FileInfo(Path.Combine(RemotePath, "absolute")).LinkTarget);
        var again = Files("-n", "--format", "json", Source, RemoteDest);
        Assert.True(again.ExitCode == 0, again.ToString());
        using var json = JsonDocument.Parse(again.Stdout);
        Assert.Empty(json.RootElement.GetProperty("actions").EnumerateArray());
    }

    [SkippableFact]
    public void LinksAndDirectoryModesOfARemoteSourceAreMirroredToALocalDestAndASecondRunHasNothingToDo()
    {
        _ = SshTestServer.Home;
        ATreeOfLinksAndModes(Source);
        var local = temp.Combine("local");

        var run = Files(SshTestServer.Remote(Source), local);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(KeptListing(Source), KeptListing(local));
        Assert.Equal("../top.txt", new FileInfo(Path.Combine(local, "docs/up")).LinkTarget);
        var again = Files("-n", "--format", "json", SshTestServer.Remote(Source), local);
        Assert.True(again.ExitCode == 0, again.ToString());
        using var json = JsonDocument.Parse(again.Stdout);
        Assert.Empty(json.RootElement.GetProperty("actions").EnumerateArray());
    }

    [SkippableFact]
    public void ALinkWhoseTargetChangedIsMadeAgainOnTheRemoteDestAndAFifoIsMadeThere()
    {
        _ = SshTestServer.Home;
        Skip.IfNot(Command.Exists("mkfifo"), "mkfifo is not installed");
        ATreeOfLinksAndModes(Source);
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        File.Delete(Path.Combine(Source, "dangling"));
        File.CreateSymbolicLink(Path.Combine(Source, "dangling"), "docs/report.txt");
        Command.MustRun("mkfifo", "-m", "640", Path.Combine(Source, "pipe"));

        var run = Files(Source, RemoteDest);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("docs/report.txt", new FileInfo(Path.Combine(RemotePath, "dangling")).LinkTarget);
        Assert.Equal("report text", File.ReadAllText(Path.Combine(RemotePath, "dangling")));
        Assert.Equal(KeptListing(Source), KeptListing(RemotePath));
    }

    [SkippableFact]
    public void ASocketCannotBeMadeOnARemoteDestSoItsActionFailsWithTheReasonAndTheRestIsDone()
    {
        _ = SshTestServer.Home;
        Write(Source, "kept.txt", "kept", seconds: 1);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(Source, "listening")));

        var run = Files(Source, RemoteDest);

        Assert.Equal(ExitCodes.SomeActionsFailed, run.ExitCode);
        Assert.Contains("cannot make the socket", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("listening", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(RemotePath, "kept.txt")));
        Assert.False(Path.Exists(Path.Combine(RemotePath, "listening")));
    }

    /// <summary>
    /// New files, new times and moves are sent without waiting for each answer; a file the host cannot
    /// write, touch or move (into a directory of DEST on a read-only mount) still fails with its path and
    /// the host's reason, exit 1, nothing of it left there, and the files beside it are done.
    /// </summary>
    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void ANewFileTheHostCannotWriteFailsWithItsReasonAndTheOthersAreDone(string through)
    {
        _ = SshTestServer.Home;
        Skip.IfNot(ExeRun.IsRoot, "a read-only bind mount needs root");
        alias = through;
        for (var i = 0; i < 40; i++)
        {
            Write(Source, $"ok/{i:D2}.txt", $"beside the read-only directory {i}", seconds: i);
        }
        Write(Source, "ro/refused.txt", "the host cannot write this");
        Write(Source, "ro/touched.txt", "same bytes, newer time", seconds: 100);
        var readOnly = Path.Combine(RemotePath, "ro");
        Write(RemotePath, "ro/touched.txt", "same bytes, newer time", seconds: 50);
        // two moves in a row (sent one after the other): the one into the read-only directory fails
        Write(Source, "ro/moved in.txt", "moved, but not into a read-only directory", seconds: 60);
        Write(RemotePath, "to move 1.txt", "moved, but not into a read-only directory", seconds: 60);
        Write(Source, "ok/moved.txt", "moved beside it", seconds: 61);
        Write(RemotePath, "to move 2.txt", "moved beside it", seconds: 61);
        // the directories' times, sent one after the other (deepest first): the read-only one fails
        foreach (var (dir, seconds) in new[] { ("ok/deeper", 300), ("ok", 200), ("ro", 100) })
        {
            Directory.CreateDirectory(Path.Combine(Source, dir));
            Directory.SetLastWriteTimeUtc(Path.Combine(Source, dir), Time.AddSeconds(seconds));
        }
        Assert.Equal(0, Command.Run("mount", "--bind", readOnly, readOnly).ExitCode);
        try
        {
            Assert.Equal(0, Command.Run("mount", "-o", "remount,bind,ro", readOnly).ExitCode);

            var run = Files(Source, RemoteDest);

            Assert.Equal(ExitCodes.SomeActionsFailed, run.ExitCode);
            // the host's own words where its program writes; SFTP's status has only "Failure"
            var reason = through == SshTestServer.Alias ? "Read-only file system" : "Fail";
            Assert.Contains(run.Stderr.Split('\n'), line => line.Contains("ro/refused.txt", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
            Assert.Contains(run.Stderr.Split('\n'), line => line.Contains("ro/touched.txt", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
            Assert.Contains(run.Stderr.Split('\n'), line => line.Contains("ro/moved in.txt", StringComparison.Ordinal) && line.Contains("to move 1.txt", StringComparison.Ordinal));
            Assert.Equal(["touched.txt"], Directory.GetFileSystemEntries(readOnly).Select(Path.GetFileName));
            Assert.True(File.Exists(Path.Combine(RemotePath, "to move 1.txt")), "the move that failed took its file away");
            Assert.Equal("moved beside it", File.ReadAllText(Path.Combine(RemotePath, "ok", "moved.txt")));
            Assert.False(File.Exists(Path.Combine(RemotePath, "to move 2.txt")));
            Assert.Contains(run.Stderr.Split('\n'), line => line.Contains("touch_dir", StringComparison.Ordinal) && line.Contains(" ro: ", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
            Assert.Equal(Time.AddSeconds(300).Ticks / TimeSpan.TicksPerSecond, Directory.GetLastWriteTimeUtc(Path.Combine(RemotePath, "ok", "deeper")).Ticks / TimeSpan.TicksPerSecond);
            Assert.Equal(Time.AddSeconds(200).Ticks / TimeSpan.TicksPerSecond, Directory.GetLastWriteTimeUtc(Path.Combine(RemotePath, "ok")).Ticks / TimeSpan.TicksPerSecond);
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal($"beside the read-only directory {i}", File.ReadAllText(Path.Combine(RemotePath, "ok", $"{i:D2}.txt")));
            }
        }
        finally
        {
            Command.Run("umount", readOnly);
        }
    }

    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void AFirstSyncToARemoteDestListsAsRsyncOverSshLeavesIt(string through)
    {
        Skip.IfNot(Command.Exists("rsync"), "rsync is not installed (.ci/run installs it)");
        var home = SshTestServer.Home;
        alias = through;
        AMixedTree();
        var run = Files(Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        var theirs = temp.Combine("theirs");
        Command.MustRun("rsync", "-a", "--delete", "-e", $"ssh -F {Path.Combine(home, ".ssh", "config")}", Source + "/", SshTestServer.Remote(theirs) + "/");
        Assert.Equal(Listing(theirs), Listing(RemotePath));
        AssertRemoteMirrors();
    }

    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void RenamesSwapsAndRotationsAreMovedOnTheRemoteHostWithoutTransfer(string through)
    {
        alias = through;
        AMixedTree();
        Write(Source, "x", "content of x, long enough", seconds: 10);
        Write(Source, "y", "content of y, long enough", seconds: 11);
        Write(Source, "r/1", "first rotating file", seconds: 12);
        Write(Source, "r/2", "second rotating file", seconds: 13);
        Write(Source, "r/3", "third rotating file!", seconds: 14);
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        File.Move(Path.Combine(Source, "x"), Path.Combine(Source, "tmp"));
        File.Move(Path.Combine(Source, "y"), Path.Combine(Source, "x"));
        File.Move(Path.Combine(Source, "tmp"), Path.Combine(Source, "y"));
        File.Move(Path.Combine(Source, "r/1"), Path.Combine(Source, "r/t"));
        File.Move(Path.Combine(Source, "r/3"), Path.Combine(Source, "r/1"));
        File.Move(Path.Combine(Source, "r/2"), Path.Combine(Source, "r/3"));
        File.Move(Path.Combine(Source, "r/t"), Path.Combine(Source, "r/2"));
        Directory.Move(Path.Combine(Source, "docs"), Path.Combine(Source, "documents"));
        var run = Files("--format", "json", Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(0, summary.GetProperty("bytes_to_copy").GetInt64());
        Assert.Equal(0, summary.GetProperty("copy").GetInt32());
        Assert.True(summary.GetProperty("move").GetInt32() >= 7, run.Stdout);
        Assert.Contains(json.RootElement.GetProperty("actions").EnumerateArray(), a => a.GetProperty("op").GetString() == "stash");
        AssertRemoteMirrors();
    }

    /// <summary>
    /// Renamed files are hashed on the host by openssl, or by sha256sum for names openssl writes escaped
    /// (a newline, a backslash); every one is moved, none copied.
    /// </summary>
    [SkippableFact]
    public void RenamedFilesWithNamesOfEveryKindAreHashedOnTheHostAndMoved()
    {
        _ = SshTestServer.Home;
        var names = new[] { "plain", "with space", "-dash", "café", "new\nline", "back\\slash", "tab\tand\rreturn" };
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            Write(Source, "old/" + name, $"the content of file number {i}", seconds: i);
        }
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        Directory.Move(Path.Combine(Source, "old"), Path.Combine(Source, "new"));
        var run = Files("--format", "json", Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(0, summary.GetProperty("copy").GetInt32());
        Assert.Equal(names.Length, summary.GetProperty("move").GetInt32());
        AssertRemoteMirrors();
    }

    [SkippableFact]
    public void AFileBecomesADirectoryAndADirectoryAFile()
    {
        _ = SshTestServer.Home;
        Write(Source, "thing", "a file first");
        Write(Source, "place/inner", "inside a directory");
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        File.Delete(Path.Combine(Source, "thing"));
        Write(Source, "thing/now/deeper", "a directory now");
        Directory.Delete(Path.Combine(Source, "place"), recursive: true);
        Write(Source, "place", "a file now");
        var run = Files(Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        AssertRemoteMirrors();
    }

    [SkippableFact]
    public void ADryRunAndACheckChangeNothingOnTheRemoteHost()
    {
        _ = SshTestServer.Home;
        AMixedTree();
        Write(RemotePath, "obsolete", "to be deleted");
        var before = TreeSnapshot.Of(RemotePath);
        var dry = Files("-n", Source, RemoteDest);
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("delete", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("copy", dry.Stdout, StringComparison.Ordinal);
        var check = Files("--check", "-q", Source, RemoteDest);
        Assert.Equal(ExitCodes.ChangesPending, check.ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(RemotePath));
    }

    [SkippableFact]
    public void ASavedPlanForARemoteDestIsAppliedLaterAndRefusedWhenStale()
    {
        _ = SshTestServer.Home;
        AMixedTree();
        var plan = temp.Combine("plan.json");
        var saved = Files("-n", "--plan-out", plan, Source, RemoteDest);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.False(Directory.Exists(RemotePath));
        var applied = Run("apply", plan);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        AssertRemoteMirrors();
        Write(Source, "later.txt", "made after the plan");
        Assert.Equal(0, Files("-n", "--plan-out", plan, Source, RemoteDest).ExitCode);
        Write(RemotePath, "intruder", "appeared on the host since");
        var stale = Run("apply", plan);
        Assert.Equal(ExitCodes.Refused, stale.ExitCode);
        Assert.Contains("stale plan", stale.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ABackupDirectoryOnTheRemoteHostKeepsWhatIsDeletedOrOverwritten()
    {
        _ = SshTestServer.Home;
        Write(Source, "keep.txt", "unchanged");
        Write(Source, "d/changed.txt", "new content!", seconds: 5);
        Write(RemotePath, "keep.txt", "unchanged");
        Write(RemotePath, "d/changed.txt", "old content", seconds: 1);
        Write(RemotePath, "gone/old.txt", "deleted in source");
        var backup = temp.Combine("backup");
        var run = Files("--backup-dir", backup, Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        AssertRemoteMirrors();
        Assert.Equal("old content", File.ReadAllText(Path.Combine(backup, "d/changed.txt")));
        Assert.Equal("deleted in source", File.ReadAllText(Path.Combine(backup, "gone/old.txt")));
        Assert.False(File.Exists(Path.Combine(backup, "keep.txt")));
        var inside = Files("--backup-dir", Path.Combine(RemotePath, "trash"), Source, RemoteDest);
        Assert.Equal(ExitCodes.BadInput, inside.ExitCode);
        Assert.Contains("outside DEST", inside.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheGuardsRefuseAnEmptySourceAndTooManyDeletionsAndChangeNothing()
    {
        _ = SshTestServer.Home;
        Directory.CreateDirectory(Source);
        Write(RemotePath, "a", "a");
        Write(RemotePath, "b", "b");
        var before = TreeSnapshot.Of(RemotePath);
        var empty = Files(Source, RemoteDest);
        Assert.Equal(ExitCodes.Refused, empty.ExitCode);
        Write(Source, "a", "a");
        var tooMany = Files("--max-delete", "0", Source, RemoteDest);
        Assert.Equal(ExitCodes.Refused, tooMany.ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(RemotePath));
    }

    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void ARemoteSourceMirrorsToALocalDestAndItsRenamesAreMovedLocally(string through)
    {
        _ = SshTestServer.Home;
        AMixedTree();
        var local = temp.Combine("local");
        var remoteSource = SshTestServer.Remote(through, Source);
        var first = Files(remoteSource, local);
        Assert.True(first.ExitCode == 0, first.ToString());
        AssertMirrors(Source, local, remoteSource, local);
        File.Move(Path.Combine(Source, "docs/report.txt"), Path.Combine(Source, "report moved.txt"));
        var second = Files("--format", "json", remoteSource, local);
        Assert.True(second.ExitCode == 0, second.ToString());
        using var json = JsonDocument.Parse(second.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("summary").GetProperty("bytes_to_copy").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("move").GetInt32());
        AssertMirrors(Source, local, remoteSource, local);
    }

    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void ChecksumModeHashesOnTheRemoteHostOrOverSftpAndFindsAFileRewrittenWithItsTimeKept(string through)
    {
        _ = SshTestServer.Home;
        alias = through;
        Write(Source, "f", "original bytes", seconds: 3);
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        Write(RemotePath, "f", "tampered bytes", seconds: 3);
        var quick = Files("-n", Source, RemoteDest);
        Assert.Contains("nothing to do", quick.Stdout, StringComparison.Ordinal);
        var checksum = Files("--checksum", Source, RemoteDest);
        Assert.True(checksum.ExitCode == 0, checksum.ToString());
        Assert.Contains("update", checksum.Stdout, StringComparison.Ordinal);
        Assert.Equal("original bytes", File.ReadAllText(Path.Combine(RemotePath, "f")));
    }

    /// <summary>
    /// Through an SFTP-only account: a file deleted from SOURCE is deleted on the host, a file changed is
    /// replaced; a link cannot be made without a command on the host, so its action fails with the reason
    /// (exit 1) and everything else is done.
    /// </summary>
    [SkippableFact]
    public void ThroughAnSftpOnlyAccountDeletesAndUpdatesAreDoneAndALinkIsRefusedWithTheReason()
    {
        _ = SshTestServer.Home;
        alias = SshTestServer.SftpOnlyAlias;
        AMixedTree();
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        File.Delete(Path.Combine(Source, "docs/report.txt"));
        Write(Source, "top.txt", "top, changed", seconds: 20);
        var deleted = Files(Source, RemoteDest);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.False(File.Exists(Path.Combine(RemotePath, "docs/report.txt")));
        AssertRemoteMirrors();

        File.CreateSymbolicLink(Path.Combine(Source, "a link"), "top.txt");
        Write(Source, "new.txt", "new beside the link", seconds: 21);
        var linked = Files(Source, RemoteDest);
        Assert.Equal(ExitCodes.SomeActionsFailed, linked.ExitCode);
        Assert.Contains("allows no commands", linked.Stderr, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(RemotePath, "a link")));
        Assert.Equal("new beside the link", File.ReadAllText(Path.Combine(RemotePath, "new.txt")));
    }

    /// <summary>
    /// A remote SOURCE file of another user's loses its setuid and setgid bits in the local copy (which
    /// belongs to this run's user, not to its owner), as a local SOURCE's does; the login's own file
    /// keeps them; a second run has nothing to do. Through find and through SFTP alike.
    /// </summary>
    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void ARemoteSourceDropsTheSetIdBitsOfAnotherUsersFileAndKeepsThoseOfTheLoginsOwn(string through)
    {
        _ = SshTestServer.Home;
        Skip.IfNot(ExeRun.IsRoot, "only root can give a file to another user (the login here is this user)");
        Write(Source, "theirs", "another user's program", 0b110_111_101_101);
        Write(Source, "mine", "the login's own program", 0b110_111_101_101);
        Command.MustRun("chown", "65534:65534", Path.Combine(Source, "theirs"));
        File.SetUnixFileMode(Path.Combine(Source, "theirs"), (UnixFileMode)0b110_111_101_101);
        var local = temp.Combine("local");
        var remoteSource = SshTestServer.Remote(through, Source);

        var run = Files(remoteSource, local);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0b111_101_101, (int)File.GetUnixFileMode(Path.Combine(local, "theirs")));
        Assert.Equal(0b110_111_101_101, (int)File.GetUnixFileMode(Path.Combine(local, "mine")));
        var again = Files("-n", remoteSource, local);
        Assert.Contains("nothing to do", again.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A local SOURCE mirrored to a remote DEST: the copies belong to the login there (root here), not to
    /// the local user running reconcile (nobody). So nobody's own setuid program loses its setuid and
    /// setgid bits (it would become root's), and root's keeps them (the copy is root's, as the file is);
    /// a second run has nothing to do. Through commands and through SFTP alone.
    /// </summary>
    [SkippableTheory]
    [InlineData(SshTestServer.Alias)]
    [InlineData(SshTestServer.SftpOnlyAlias)]
    public void ARemoteDestKeepsTheSetIdBitsOfTheLoginsNamesakeOnlyNotThoseOfTheLocalUser(string through)
    {
        var serverHome = SshTestServer.Home;
        Skip.IfNot(ExeRun.IsRoot, "running reconcile as another user, and giving files to it, needs root");
        var login = Command.MustRun("id", "-un").Trim();
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_101_101);
        Write(Source, "nobodys", "the local user's program", 0b110_111_101_101);
        Write(Source, "logins", "the login's program", 0b110_111_101_101);
        Write(Source, "plain", "no bits to drop");
        Command.MustRun("chown", "65534:65534", Path.Combine(Source, "nobodys"));
        File.SetUnixFileMode(Path.Combine(Source, "nobodys"), (UnixFileMode)0b110_111_101_101);
        // nobody's own HOME, reaching the same server as the same login, with copies of the key and known hosts
        var home = temp.Combine("nobody-home");
        var ssh = Path.Combine(home, ".ssh");
        Directory.CreateDirectory(ssh);
        foreach (var file in new[] { "id_ed25519", "known_hosts" })
        {
            File.Copy(Path.Combine(serverHome, ".ssh", file), Path.Combine(ssh, file));
        }
        File.WriteAllText(Path.Combine(ssh, "config"), File.ReadAllText(Path.Combine(serverHome, ".ssh", "config")).Replace(Path.Combine(serverHome, ".ssh"), ssh, StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(home, "cache"));
        Command.MustRun("chown", "-R", "65534:65534", home);
        var environment = new Dictionary<string, string> { ["HOME"] = home, ["XDG_CACHE_HOME"] = Path.Combine(home, "cache") };
        var dest = SshTestServer.Remote(through, RemotePath);

        var run = ExeRun.AsNobody(temp.Combine("program"), environment, "files", Source, dest);

        Assert.True(run.ExitCode == 0, run.ToString());
        // owners are never kept on a remote DEST (the README says so): no warning about other users' files
        Assert.DoesNotContain("not keeping owners", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(login, Command.MustRun("stat", "-c", "%U", Path.Combine(RemotePath, "nobodys")).Trim());
        Assert.Equal(0b111_101_101, (int)File.GetUnixFileMode(Path.Combine(RemotePath, "nobodys")));
        Assert.Equal(0b110_111_101_101, (int)File.GetUnixFileMode(Path.Combine(RemotePath, "logins")));
        Assert.Equal(0b110_100_100, (int)File.GetUnixFileMode(Path.Combine(RemotePath, "plain")));
        var again = ExeRun.AsNobody(temp.Combine("program"), environment, "files", "-n", Source, dest);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing to do", again.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A case-only rename (<c>a.txt</c> to <c>A.txt</c>, <c>Dir</c> to <c>dir</c>) on a case-sensitive
    /// host is a move on a remote DEST, and from a remote SOURCE a move on the local DEST: no bytes sent.
    /// </summary>
    [SkippableFact]
    public void ACaseOnlyRenameIsMovedOnARemoteDestAndFromARemoteSource()
    {
        _ = SshTestServer.Home;
        Write(Source, "a.txt", "lower-case name", seconds: 1);
        Write(Source, "Dir/b.txt", "in an upper-case directory", seconds: 2);
        Assert.Equal(0, Files(Source, RemoteDest).ExitCode);
        var local = temp.Combine("local");
        var remoteSource = SshTestServer.Remote(Source);
        Assert.Equal(0, Files(remoteSource, local).ExitCode);
        File.Move(Path.Combine(Source, "a.txt"), Path.Combine(Source, "A.txt"));
        Directory.Move(Path.Combine(Source, "Dir"), Path.Combine(Source, "dir"));

        foreach (var (from, to, toPath) in new[] { (Source, RemoteDest, RemotePath), (remoteSource, local, local) })
        {
            var run = Files("--format", "json", from, to);
            Assert.True(run.ExitCode == 0, run.ToString());
            using var json = JsonDocument.Parse(run.Stdout);
            Assert.Equal(0, json.RootElement.GetProperty("summary").GetProperty("bytes_to_copy").GetInt64());
            Assert.Equal(2, json.RootElement.GetProperty("summary").GetProperty("move").GetInt32());
            Assert.Equal(["A.txt", "dir"], Directory.GetFileSystemEntries(toPath).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            AssertMirrors(Source, toPath, from, to);
        }
    }

    /// <summary>
    /// The first run sends seven non-empty files and keeps the hash of the bytes it sent in DEST's cache;
    /// the checksum run then hashes none of DEST's files on the host (all seven from the cache), and,
    /// since it finds nothing to do, those hashes are the hashes of SOURCE's bytes.
    /// </summary>
    [SkippableFact]
    public void FilesSentToARemoteDestAreCachedWithTheHashOfTheBytesSentSoAChecksumRunHashesNoneOnTheHost()
    {
        _ = SshTestServer.Home;
        AMixedTree();
        var cache = temp.Combine("hash cache");
        var first = Files("--cache-dir", cache, Source, RemoteDest);
        Assert.True(first.ExitCode == 0, first.ToString());
        var checksum = Files("-v", "--checksum", "--cache-dir", cache, Source, RemoteDest);
        Assert.True(checksum.ExitCode == 0, checksum.ToString());
        Assert.Contains("nothing to do", checksum.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"hashed \d+ \+ 0, from cache \d+ \+ 7 ", checksum.Stderr);
        var uncached = Files("-v", "--checksum", "--no-cache", Source, RemoteDest);
        Assert.Matches(@"hashed \d+ \+ 7, from cache 0 \+ 0 ", uncached.Stderr);
    }

    [SkippableFact]
    public void ASecondRunToTheSameRemoteDestIsLockedOut()
    {
        var home = SshTestServer.Home;
        Write(Source, "f", "content");
        Directory.CreateDirectory(RemotePath);
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? temp.Combine("cache");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cacheHome);
        var url = $"sftp://127.0.0.1:{SshTestServer.Port}/{RemotePath.TrimStart('/')}/./";
        using var connection = SshConnection.Open(
            RemoteRoot.Parse(url, "DEST").Match(Right: r => r.IfNone(() => throw new InvalidOperationException()), Left: p => throw new InvalidOperationException(p.Message)),
            new SshOptions(Home: home), url, null);
        using var endpoint = SftpEndpoint.Open(connection, RemotePath + "/./");
        using (RunLock.Acquire(RemotePlaces.LockFor(endpoint), endpoint.Root))
        {
            var locked = ExeRun.Of(new Dictionary<string, string>(SshTestServer.Environment(cacheHome), StringComparer.Ordinal), "files", Source, RemoteDest);
            Assert.Equal(ExitCodes.Locked, locked.ExitCode);
            Assert.False(File.Exists(Path.Combine(RemotePath, "f")));
        }
        Assert.Equal(0, ExeRun.Of(SshTestServer.Environment(cacheHome), "files", Source, RemoteDest).ExitCode);
    }

    [SkippableFact]
    public void AnUnknownHostIsRefusedWithItsFingerprintUntilAcceptedAndAChangedKeyAlways()
    {
        var home = temp.Combine("home");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.Copy(Path.Combine(SshTestServer.Home, ".ssh", "config"), Path.Combine(home, ".ssh", "config"));
        var knownHosts = Path.Combine(home, ".ssh", "known_hosts");
        Write(Source, "f", "content");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = home, ["XDG_CACHE_HOME"] = temp.Combine("cache") };
        var unknown = ExeRun.Of(environment, "files", Source, RemoteDest);
        Assert.Equal(ExitCodes.BadInput, unknown.ExitCode);
        Assert.Contains("SHA256:", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("--accept-new-host-key", unknown.Stderr, StringComparison.Ordinal);
        Assert.Single(unknown.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(RemotePath));
        var accepted = ExeRun.Of(environment, "files", "--accept-new-host-key", Source, RemoteDest);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        // The server's own known_hosts names its first port (the one this alias reaches) on its first line.
        Assert.Equal(File.ReadAllLines(Path.Combine(SshTestServer.Home, ".ssh", "known_hosts"))[0], File.ReadAllText(knownHosts).Trim());
        Assert.Equal(0, ExeRun.Of(environment, "files", Source, RemoteDest).ExitCode);
        // The same name with another key: refused, --accept-new-host-key or not.
        var line = File.ReadAllText(knownHosts).Trim().Split(' ');
        File.WriteAllText(knownHosts, $"{line[0]} {line[1]} {Convert.ToBase64String(new byte[51])}\n");
        foreach (var args in new[] { new[] { "files", Source, RemoteDest }, ["files", "--accept-new-host-key", Source, RemoteDest] })
        {
            var changed = ExeRun.Of(environment, args);
            Assert.Equal(ExitCodes.BadInput, changed.ExitCode);
            Assert.Contains("does not match", changed.Stderr, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void AWrongKeyAnUnreachableHostAndAMissingRemotePathAreOneLineExit2()
    {
        var home = SshTestServer.Home;
        Write(Source, "f", "content");
        var wrongKey = temp.Combine("wrong_key");
        Command.MustRun("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrongKey);
        var otherHome = temp.Combine("home");
        Directory.CreateDirectory(Path.Combine(otherHome, ".ssh"));
        File.Copy(Path.Combine(home, ".ssh", "known_hosts"), Path.Combine(otherHome, ".ssh", "known_hosts"));
        File.WriteAllText(Path.Combine(otherHome, ".ssh", "config"), $"Host {SshTestServer.Alias}\n  HostName 127.0.0.1\n  Port {SshTestServer.Port}\n  IdentitiesOnly yes\n");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = otherHome, ["XDG_CACHE_HOME"] = temp.Combine("cache") };
        var refused = ExeRun.Of(environment, "files", "--ssh-key", wrongKey, Source, RemoteDest);
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("refused the login", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var unreachable = Files("--accept-new-host-key", Source, "sftp://127.0.0.1:1/tmp/x");
        Assert.Equal(ExitCodes.BadInput, unreachable.ExitCode);
        Assert.Contains("cannot connect to 127.0.0.1 port 1", unreachable.Stderr, StringComparison.Ordinal);

        var missingSource = Files(SshTestServer.Remote(temp.Combine("no such dir")), temp.Combine("local"));
        Assert.Equal(ExitCodes.BadInput, missingSource.ExitCode);
        Assert.Contains("does not exist", missingSource.Stderr, StringComparison.Ordinal);
        var missingParent = Files(Source, SshTestServer.Remote(temp.Combine("no", "such", "parent")));
        Assert.Equal(ExitCodes.BadInput, missingParent.ExitCode);
        Assert.Contains("neither does its parent", missingParent.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("local")));
    }

    [SkippableFact]
    public void LinksInARemoteDestAreRemovedOrReplacedAndTheirTargetsNeverTouched()
    {
        _ = SshTestServer.Home;
        var outside = temp.Combine("outside");
        Write(outside, "file", "outside file");
        Write(outside, "dir/inner", "outside inner");
        Write(Source, "over-file-link", "replaces a link to a file");
        Write(Source, "over-dir-link/inner", "replaces a link to a directory");
        Directory.CreateDirectory(RemotePath);
        File.CreateSymbolicLink(Path.Combine(RemotePath, "over-file-link"), Path.Combine(outside, "file"));
        File.CreateSymbolicLink(Path.Combine(RemotePath, "over-dir-link"), Path.Combine(outside, "dir"));
        File.CreateSymbolicLink(Path.Combine(RemotePath, "extra-link"), Path.Combine(outside, "file"));
        var before = TreeSnapshot.Of(outside);
        var backup = temp.Combine("backup");
        var run = Files("--backup-dir", backup, Source, RemoteDest);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(before, TreeSnapshot.Of(outside));
        AssertRemoteMirrors();
        Assert.Equal(Path.Combine(outside, "file"), new FileInfo(Path.Combine(backup, "extra-link")).LinkTarget);
    }

    [Fact]
    public void TwoRemoteRootsAreBadUsageBeforeAnyConnection()
    {
        var run = CliRun.Of("files", "nowhere.invalid:a", "sftp://nowhere.invalid/b");
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("both remote", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A source endpoint whose reads drop every connection to the server once a file's first bytes have gone out.</summary>
    private sealed class DroppingSource(LocalEndpoint inner, string dropAt) : IMirrorEndpoint
    {
        public string Root => inner.Root;

        public EndpointTraits Traits => inner.Traits;

        public ScanResult Scan(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries) =>
            inner.Scan(excludes, asDest, known, entries);

        public (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(Seq<string> paths, Action<long>? hashed) =>
            inner.Hash(paths, hashed);

        public Stream OpenRead(string path) => path == dropAt ? new DroppingStream(inner.OpenRead(path)) : inner.OpenRead(path);

        public void Apply(FileAction action, IMirrorEndpoint source, Action<string>? keep) => throw new NotSupportedException();
    }

    private sealed class DroppingStream(Stream inner) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (read > 0)
            {
                SshTestServer.DropConnections();
            }
            var n = inner.Read(buffer, offset, Math.Min(count, 4096));
            read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }

    [SkippableFact]
    public void AConnectionDroppedMidCopyLeavesNoHalfWrittenFileUnderAFinalNameAndTheNextRunFinishes()
    {
        var home = SshTestServer.Home;
        var big = new string('x', 300_000);
        Write(Source, "a.txt", "first " + big);
        Write(Source, "b.txt", "second " + big);
        Write(Source, "c.txt", "third " + big);
        Directory.CreateDirectory(RemotePath);
        Write(RemotePath, "b.txt", "an old b");
        var connection = SshConnection.Open(new RemoteRoot(null, SshTestServer.Alias, null, RemotePath), new SshOptions(Home: home), RemoteDest, null);
        using var dest = SftpEndpoint.Open(connection, RemotePath);
        var source = new DroppingSource(new LocalEndpoint(LocalAccess.OfThisMachine(), Source), "b.txt");
        var plan = FilePlanner.Plan(source.Scan([], false, null, null).Tree, dest.Scan([], true, null, null).Tree, FilePlanOptions.Default);
        var result = new MirrorRunner(source, dest).Execute(plan);
        Assert.NotEmpty(result.Failures);
        Assert.Contains(result.Failures, f => f.Contains("b.txt", StringComparison.Ordinal));
        // Every file under a final name is whole: the old one, or the new one, never part of it.
        foreach (var file in Directory.GetFiles(RemotePath).Where(f => !Path.GetFileName(f).StartsWith(TemporaryName.Prefix, StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.True(text == "an old b" || text == File.ReadAllText(Path.Combine(Source, Path.GetFileName(file))), $"{file} is half-written");
        }
        var next = Files(Source, RemoteDest);
        Assert.True(next.ExitCode == 0, next.ToString());
        AssertRemoteMirrors();
    }

    [SkippableFact]
    public void ARunWhoseConnectionDropsFinishesWhatItCanExits1AndTheNextRunFinishes()
    {
        var home = SshTestServer.Home;
        Write(Source, "d/a.txt", "a");
        Write(Source, "d/b.txt", "b");
        Write(RemotePath, "old.txt", "to delete");
        using var stdout = new DroppingWriter();
        using var stderr = new StringWriter();
        var cacheHome = temp.Combine("cache");
        var code = new FilesRun(LocalAccess.OfThisMachine(), stdout, stderr, null, new SshOptions(Home: home))
            .Run(new FilesRequest(Source, RemoteDest, DryRun: false, Check: false, Json: false, Checksum: false, [], null, false, false, CacheDir: cacheHome));
        Assert.Equal(ExitCodes.SomeActionsFailed, code);
        Assert.Contains("connection", stderr.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RemotePath, "old.txt")), "a deletion ran after a failure");
        Assert.True(Directory.Exists(Path.Combine(RemotePath, "d")), "the action done before the drop stays done");
        var next = Files(Source, RemoteDest);
        Assert.True(next.ExitCode == 0, next.ToString());
        AssertRemoteMirrors();
    }

    /// <summary>Standard output that drops every connection to the server when the first applied action is printed.</summary>
    private sealed class DroppingWriter : StringWriter
    {
        private bool dropped;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (!dropped)
            {
                dropped = true;
                SshTestServer.DropConnections();
            }
        }
    }

    [SkippableFact]
    public void AKillOfTheLocalProcessAtAnyStepLeavesARemoteDestTheNextRunRepairs()
    {
        _ = SshTestServer.Home;
        Write(Source, "x", "content of x, long enough", seconds: 1);
        Write(Source, "y", "content of y, long enough", seconds: 2);
        Write(Source, "new/n", "new file", seconds: 3);
        Write(RemotePath, "x", "content of y, long enough", seconds: 2);
        Write(RemotePath, "y", "content of x, long enough", seconds: 1);
        Write(RemotePath, "z", "obsolete file");
        var start = temp.Combine("start");
        Command.MustRun("cp", "-a", RemotePath, start);
        var finished = false;
        for (var step = 1; step < 40 && !finished; step++)
        {
            Directory.Delete(RemotePath, recursive: true);
            Command.MustRun("cp", "-a", start, RemotePath);
            var environment = SshTestServer.Environment(temp.Combine("cache"));
            environment[KillPoint.Variable] = step.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var killed = ExeRun.Of(environment, "files", Source, RemoteDest);
            var next = Files(Source, RemoteDest);
            Assert.True(next.ExitCode == 0, $"after a kill at step {step}: {next}");
            AssertRemoteMirrors();
            // A run that reached its end before step N was not killed: every step has been tried.
            finished = killed.ExitCode == 0;
        }
        Assert.True(finished, "the run was still killed at step 40");
    }
}
