using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>A real run's summary tells what was done apart from what failed or was skipped.</summary>
public sealed class RunOutcomeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest) TreesWhoseOnlyCopyFails()
    {
        var source = temp.Combine("s");
        var dest = temp.Combine("d");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(source, "big-file"), new string('x', 10_000));
        File.WriteAllText(Path.Combine(dest, "extra"), "to delete");
        return (source, dest);
    }

    private static (int Code, string Stdout, string Stderr) Run(string source, string dest, bool json)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = new FilesRun(LocalAccess.Through(new FullDiskFileSystem()), stdout, stderr).Run(
            new FilesRequest(source, dest, DryRun: false, Check: false, Json: json, Checksum: false, Excludes: [], MaxDelete: null, AllowEmptySource: false, Quiet: false, NoCache: true));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ARunWhoseActionsAllFailNeverSaysThereWasNothingToDo()
    {
        var (source, dest) = TreesWhoseOnlyCopyFails();
        var (code, stdout, stderr) = Run(source, dest, json: false);
        Assert.True(code == ExitCodes.SomeActionsFailed, stderr);
        Assert.DoesNotContain("nothing to do", stdout, StringComparison.Ordinal);
        Assert.Equal("summary: done nothing; failed 1, skipped 1 (see the errors on stderr)", stdout.TrimEnd('\n').Split('\n')[^1]);
        Assert.True(File.Exists(Path.Combine(dest, "extra")), "no deletion after a failure");
    }

    [Fact]
    public void JsonCountsTheDoneFailedAndSkippedActions()
    {
        var (source, dest) = TreesWhoseOnlyCopyFails();
        File.WriteAllText(Path.Combine(source, "small"), "fits");
        var (code, stdout, _) = Run(source, dest, json: true);
        Assert.Equal(ExitCodes.SomeActionsFailed, code);
        using var document = JsonDocument.Parse(stdout);
        var outcome = document.RootElement.GetProperty("outcome");
        Assert.Equal((1, 1, 1), (outcome.GetProperty("done").GetInt32(), outcome.GetProperty("failed").GetInt32(), outcome.GetProperty("skipped").GetInt32()));
        Assert.Equal(2, document.RootElement.GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public void ARunWithoutFailuresKeepsThePlainSummary()
    {
        var (source, dest) = TreesWhoseOnlyCopyFails();
        File.Delete(Path.Combine(source, "big-file"));
        File.WriteAllText(Path.Combine(source, "small"), "fits");
        var (code, stdout, _) = Run(source, dest, json: false);
        Assert.Equal(ExitCodes.Done, code);
        Assert.StartsWith("summary: 1 copy (4 B), 0 update (0 B), 0 move, 1 delete", stdout.TrimEnd('\n').Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void ADryRunThatAGuardRefusesStillShowsThePlan()
    {
        var source = temp.Combine("src");
        var dest = temp.Combine("dst");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(source, "keep"), "k");
        File.WriteAllText(Path.Combine(dest, "keep"), "k");
        File.SetLastWriteTimeUtc(Path.Combine(dest, "keep"), File.GetLastWriteTimeUtc(Path.Combine(source, "keep")));
        File.WriteAllText(Path.Combine(dest, "old-1"), "1");
        File.WriteAllText(Path.Combine(dest, "old-2"), "2");
        var plan = temp.Combine("plan.json");
        var run = CliRun.Of("files", "-n", "--max-delete", "1", "--plan-out", plan, source, dest);
        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Contains("delete             old-1", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("delete             old-2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("more than --max-delete 1", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(plan), "a refused plan is not saved");
        Assert.True(File.Exists(Path.Combine(dest, "old-1")));
        var real = CliRun.Of("files", "--max-delete", "1", source, dest);
        Assert.True(real.ExitCode == ExitCodes.Refused && real.Stdout.Length == 0, real.ToString());
    }
}
