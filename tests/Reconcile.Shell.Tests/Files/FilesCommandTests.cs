using System.Diagnostics;
using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>The files job end to end, on real temporary directories.</summary>
public sealed class FilesCommandTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest) Sample() =>
        (temp.CopySample("files/source", "source"), temp.CopySample("files/dest", "dest"));

    private static string Write(string root, string relative, string content, DateTime? time = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        // Like real files, different contents carry different times unless a test says otherwise.
        var seconds = content.Aggregate(17L, (h, c) => (h * 31 + c) % 10_000_000);
        File.SetLastWriteTimeUtc(path, time ?? new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddSeconds(seconds));
        return path;
    }

    [Fact]
    public void DryRunOnTheSampleShowsEachKindOfActionAndChangesNothing()
    {
        var (source, dest) = Sample();
        var before = (TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
        var run = CliRun.Of("files", "--dry-run", source, dest);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("copy 32 B docs/budget.txt", PlanText.Squeeze(run.Stdout), StringComparison.Ordinal);
        Assert.Contains("update 69 B docs/notes.txt", PlanText.Squeeze(run.Stdout), StringComparison.Ordinal);
        Assert.Contains("move cat.jpg → photos/cat.jpg", PlanText.Squeeze(run.Stdout), StringComparison.Ordinal);
        Assert.Contains("delete old-draft.txt", PlanText.Squeeze(run.Stdout), StringComparison.Ordinal);
        Assert.Equal(before, (TreeSnapshot.Of(source), TreeSnapshot.Of(dest)));
    }

    [Fact]
    public void RunMakesDestAMirrorAndASecondRunPlansNothing()
    {
        var (source, dest) = Sample();
        var sourceBefore = TreeSnapshot.Of(source);
        var run = CliRun.Of("files", source, dest);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(sourceBefore, TreeSnapshot.Of(source));
        Assert.Equal(sourceBefore, TreeSnapshot.Of(dest));
        var again = CliRun.Of("files", "--format", "json", "--dry-run", source, dest);
        using var doc = JsonDocument.Parse(again.Stdout);
        Assert.Equal(0, doc.RootElement.GetProperty("actions").GetArrayLength());
        var check = CliRun.Of("files", "--check", source, dest);
        Assert.Equal(ExitCodes.Done, check.ExitCode);
    }

    [Fact]
    public void RenamedAndSwappedFilesCostZeroBytesAndKeepTheirInodes()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var big = new string('x', 200_000);
        Write(source, "a", big + "A");
        Write(source, "b", big + "B");
        Write(source, "new/place/c", big + "C");
        Write(dest, "a", big + "B");
        Write(dest, "b", big + "A");
        var oldC = Write(dest, "old/c", big + "C");
        var inode = Inode(oldC);
        var plan = CliRun.Of("files", "-n", "--format", "json", source, dest);
        using (var doc = JsonDocument.Parse(plan.Stdout))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("summary").GetProperty("bytes_to_copy").GetInt64());
            Assert.Equal(3, doc.RootElement.GetProperty("summary").GetProperty("move").GetInt32());
        }
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(inode, Inode(Path.Combine(dest, "new/place/c")));
        }
    }

    [Fact]
    public void AMovedFileTakesTheTimeAndPermissionBitsOfItsNewPath()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var time = new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var big = new string('m', 50_000);
        // Renamed with everything kept; renamed and made executable; renamed with a new time.
        Write(source, "kept/one", big + "1", time);
        var executable = Write(source, "exec/two", big + "2", time);
        Write(source, "later/three", big + "3", time.AddHours(1));
        Write(dest, "old/one", big + "1", time);
        Write(dest, "old/two", big + "2", time);
        Write(dest, "old/three", big + "3", time);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var plan = CliRun.Of("files", "-n", source, dest);
        Assert.Contains(" 0 B to copy", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains(", 3 move,", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void FileAndDirectorySwapPlacesOnDisk()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "x/inner", "one");
        Write(source, "y", "two");
        Write(dest, "x", "one");
        Write(dest, "y/inner", "two");
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void CopiesKeepModificationTimeAndPermissionBits()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var script = Write(source, "bin/run.sh", "#!/bin/sh\necho hi\n", new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        var copy = Path.Combine(dest, "bin/run.sh");
        Assert.Equal(new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc), File.GetLastWriteTimeUtc(copy));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(File.GetUnixFileMode(script), File.GetUnixFileMode(copy));
        }
    }

    [Fact]
    public void ExcludedPathsAreNeitherCopiedNorDeleted()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "keep.txt", "k");
        Write(source, "skip.tmp", "s");
        Write(source, "cache/big", "c");
        Write(dest, "local.tmp", "mine");
        Write(dest, "cache/other", "mine too");
        var run = CliRun.Of("files", "--exclude", "*.tmp", "--exclude", "cache/", source, dest);
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(dest, "keep.txt")));
        Assert.False(File.Exists(Path.Combine(dest, "skip.tmp")));
        Assert.False(File.Exists(Path.Combine(dest, "cache/big")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dest, "local.tmp")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(dest, "cache/other")));
    }

    [Fact]
    public void ChecksumFindsAChangeTheQuickCheckCannotSee()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var sameTime = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Write(source, "f", "AAAA", sameTime);
        Write(dest, "f", "BBBB", sameTime);
        Assert.Contains("nothing to do", CliRun.Of("files", "-n", source, dest).Stdout, StringComparison.Ordinal);
        Assert.Contains("update 4 B f", PlanText.Squeeze(CliRun.Of("files", "-n", "--checksum", source, dest).Stdout), StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Of("files", "--checksum", source, dest).ExitCode);
        Assert.Equal("AAAA", File.ReadAllText(Path.Combine(dest, "f")));
    }

    [Fact]
    public void NoTemporaryFileSurvivesAndALeftoverOneIsCleanedUp()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Write(source, "a", "1");
        Write(source, "b", "2");
        Write(dest, "a", "2");
        Write(dest, "b", "1");
        Write(dest, "sub/.reconcile-0123456789abcdef.part", "half a file from a killed run");
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void DryRunIntoAMissingDestCreatesNothing()
    {
        var (source, _) = Sample();
        var dest = temp.Combine("not-yet");
        var run = CliRun.Of("files", "-n", source, dest);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"copy {new FileInfo(Path.Combine(source, "photos/cat.jpg")).Length} B photos/cat.jpg", PlanText.Squeeze(run.Stdout), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dest));
        Assert.Equal(0, CliRun.Of("files", source, dest).ExitCode);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    [Fact]
    public void BadPathsAreUsageErrors()
    {
        var (source, dest) = Sample();
        var missing = CliRun.Of("files", temp.Combine("nope"), temp.Combine("fresh-dest"));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", source, temp.Combine("no/such/parent")).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", source, Path.Combine(source, "inside")).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", source, Path.Combine(dest, "cat.jpg")).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--exclude", "/", source, dest).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", source).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--no-such-option", source, dest).ExitCode);
    }

    [Fact]
    public void EmptySourceIsRefusedUnlessAllowed()
    {
        var (_, dest) = Sample();
        var empty = temp.Combine("empty");
        Directory.CreateDirectory(empty);
        var before = TreeSnapshot.Of(dest);
        var refused = CliRun.Of("files", empty, dest);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(dest));
        Assert.Equal(0, CliRun.Of("files", "--allow-empty-source", empty, dest).ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dest));
    }

    [Fact]
    public void MaxDeleteRefusesAPlanThatDeletesMore()
    {
        var (source, dest) = Sample();
        Write(dest, "extra1", "x");
        Write(dest, "extra2", "y");
        var before = TreeSnapshot.Of(dest);
        Assert.Equal(ExitCodes.Refused, CliRun.Of("files", "--max-delete", "2", source, dest).ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(dest));
        Assert.Equal(0, CliRun.Of("files", "--max-delete", "3", source, dest).ExitCode);
    }

    [Fact]
    public void CheckReportsPendingChangesWithItsOwnExitCode()
    {
        var (source, dest) = Sample();
        var before = TreeSnapshot.Of(dest);
        Assert.Equal(ExitCodes.ChangesPending, CliRun.Of("files", "--check", "--quiet", source, dest).ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(dest));
    }

    [SkippableFact]
    public void LinksAreMirroredAsLinksAndDestLinksAreReplacedNotFollowed()
    {
        Skip.If(OperatingSystem.IsWindows(), "creating symbolic links needs Unix");
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        var outside = temp.Combine("outside");
        Write(source, "real.txt", "r");
        Write(outside, "precious.txt", "do not touch");
        File.CreateSymbolicLink(Path.Combine(source, "link-in-source"), outside);
        File.CreateSymbolicLink(Path.Combine(source, "dangling"), "no/such/file");
        Directory.CreateDirectory(dest);
        File.CreateSymbolicLink(Path.Combine(dest, "escape"), outside);
        Write(source, "escape/file.txt", "must not land outside DEST");
        var run = CliRun.Of("files", source, dest);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(outside, new FileInfo(Path.Combine(dest, "link-in-source")).LinkTarget);
        Assert.Equal("no/such/file", new FileInfo(Path.Combine(dest, "dangling")).LinkTarget);
        Assert.Equal(["precious.txt"], Directory.GetFiles(outside).Select(Path.GetFileName));
        Assert.Null(new FileInfo(Path.Combine(dest, "escape")).LinkTarget);
        Assert.Equal("must not land outside DEST", File.ReadAllText(Path.Combine(dest, "escape/file.txt")));
        Assert.Contains("summary: nothing to do", CliRun.Of("files", "-n", source, dest).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonPlanUsesTheDocumentedOps()
    {
        var (source, dest) = Sample();
        var run = CliRun.Of("files", "-n", "--format", "json", source, dest);
        using var doc = JsonDocument.Parse(run.Stdout);
        var ops = doc.RootElement.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("op").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "copy", "update", "move", "delete" }, ops);
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("copy").GetInt32());
        Assert.Equal(new FileInfo(Path.Combine(source, "docs/budget.txt")).Length + new FileInfo(Path.Combine(source, "docs/notes.txt")).Length,
            summary.GetProperty("bytes_to_copy").GetInt64());
    }

    [Fact]
    public void TheBuiltExecutableMirrorsADirectory()
    {
        var (source, dest) = Sample();
        var exe = Path.Combine(AppContext.BaseDirectory, "reconcile.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { exe, "files", source, dest })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("summary:", stdout, StringComparison.Ordinal);
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
    }

    private static string? Inode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return text;
    }
}
