using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

public class CliTests
{
    [Theory]
    [InlineData("files", "--backup-dir")]
    [InlineData("stock", "--max-remove")]
    [InlineData("allocate", "--plan-out")]
    [InlineData("apply", "--quiet")]
    [InlineData("stock", "--wait")]
    [InlineData("store", "copy")]
    public void EachCommandsHelpListsItsOptionsAndExamples(string command, string option)
    {
        var run = CliRun.Of(command, "--help");
        Assert.Equal(ExitCodes.Done, run.ExitCode);
        Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"reconcile {command} ", run.Stdout[run.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void RootHelpListsTheCommandsAndExitCodes()
    {
        var run = CliRun.Of("--help");
        Assert.Equal(ExitCodes.Done, run.ExitCode);
        foreach (var command in new[] { "files", "stock", "allocate", "apply" })
        {
            Assert.Contains(command + " <", run.Stdout, StringComparison.Ordinal);
        }
        Assert.Contains("Exit codes:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionIsPrinted()
    {
        var run = CliRun.Of("--version");
        Assert.Equal(ExitCodes.Done, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Theory]
    [InlineData("files", "--no-such-option", "a", "b")]
    [InlineData("stock", "only-one-argument")]
    [InlineData("allocate")]
    [InlineData("files", "--format", "xml", "a", "b")]
    [InlineData("stock", "--mode", "sideways", "a", "b")]
    [InlineData("frobnicate")]
    public void BadUsageIsAShortErrorAndExit2(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("reconcile: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", run.Stderr, StringComparison.Ordinal);
        Assert.True(run.Stderr.Split('\n').Length < 8, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
