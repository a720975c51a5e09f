using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

/// <summary>Bad arguments: one line that names the argument or option and what is wrong, exit 2, nothing changed.</summary>
public sealed class ArgumentErrorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest) Trees()
    {
        var source = temp.Combine("source");
        var dest = temp.Combine("dest");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(source, "a.txt"), "a");
        File.WriteAllText(Path.Combine(dest, "old.txt"), "old");
        return (source, dest);
    }

    private static void AssertOneLineNaming(CliRun run, string expected)
    {
        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, run.ToString()); // the problem, then where to find usage
        Assert.Equal("reconcile: " + expected, lines[0]);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void AnEmptySourceOrDestIsNamedAndNothingChanges()
    {
        var (source, dest) = Trees();
        AssertOneLineNaming(CliRun.Of("files", "", dest), "SOURCE is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("files", source, ""), "DEST is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("files", "--backup-dir", "", source, dest), "--backup-dir is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("apply", ""), "PLAN is an empty path (is a variable unset?)");
        Assert.Equal(["old.txt"], Directory.GetFiles(dest).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("+3")]
    public void MaxDeleteTakesAWholeNumberOfZeroOrMore(string value)
    {
        var (source, dest) = Trees();
        AssertOneLineNaming(CliRun.Of("files", "--max-delete", value, source, dest), $"--max-delete takes a whole number of 0 or more, not '{value}'");
        Assert.True(File.Exists(Path.Combine(dest, "old.txt")));
    }

    [Fact]
    public void MissingArgumentsAreNamedOnceInOneLine()
    {
        AssertOneLineNaming(CliRun.Of("files"), "files: missing SOURCE and DEST");
        AssertOneLineNaming(CliRun.Of("files", temp.Path), "files: missing DEST");
        AssertOneLineNaming(CliRun.Of("stock", "feed.csv"), "stock: missing STATE");
        AssertOneLineNaming(CliRun.Of("store", "copy", "a"), "store copy: missing TO");
    }

    [Fact]
    public void StockAndStoreArgumentsAreCheckedTheSameWay()
    {
        AssertOneLineNaming(CliRun.Of("stock", "", temp.Path), "FEED is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("allocate", "orders.csv", ""), "STATE is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("store", "init", ""), "STATE is an empty path (is a variable unset?)");
        AssertOneLineNaming(CliRun.Of("stock", "--max-remove", "abc", "f.csv", temp.Path), "--max-remove takes a whole number of 0 or more, not 'abc'");
        AssertOneLineNaming(CliRun.Of("stock", "--wait", "-1", "f.csv", temp.Path), "--wait takes a whole number of 0 or more, not '-1'");
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void ZeroIsAValidMaxDelete()
    {
        var (source, dest) = Trees();
        var run = CliRun.Of("files", "-n", "--max-delete", "0", source, dest);
        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
    }
}
