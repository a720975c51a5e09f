using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// An excluded entry never stops the rest of its directory from syncing, and excluded entries in DEST
/// are kept: side by side with <c>rsync -a --delete --exclude</c> on copies of the same trees, the
/// regular files and directories of both DESTs list the same (path, size, bytes).
/// </summary>
public sealed class ExcludeBesideRsyncTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static void Write(string root, string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private static void Rsync(params string[] args) => Command.MustRun("rsync", args);

    /// <summary>Every directory and regular file below the root, with its size and bytes, in ordinal order.</summary>
    private static List<string> Listing(string root) =>
        Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Directory.Exists(p)
                ? $"d {Path.GetRelativePath(root, p)}"
                : $"f {Path.GetRelativePath(root, p)} {new FileInfo(p).Length} {File.ReadAllText(p)}")
            .Order(StringComparer.Ordinal)
            .ToList();

    [SkippableTheory]
    [InlineData("*.tmp")]
    [InlineData("__pycache__/")]
    [InlineData("/top.tmp")]
    [InlineData("cache")]
    public void ADirectoryHoldingAnExcludedEntryKeepsSyncingAsRsyncDoes(string pattern)
    {
        Skip.IfNot(Command.Exists("rsync"), "rsync is not installed (.ci/run installs it)");
        var source = temp.Combine("source");
        var start = temp.Combine("start");
        Write(source, "top.tmp", "source top");
        Write(source, "d/a", "new a, longer");
        Write(source, "d/junk.tmp", "source junk");
        Write(source, "d/__pycache__/m.pyc", "source pyc");
        Write(source, "d/cache/c", "source cache");
        Write(source, "d/e/new", "new");
        Write(start, "top.tmp", "dest top");
        Write(start, "d/a", "old a");
        Write(start, "d/junk.tmp", "dest junk");
        Write(start, "d/keep.tmp", "dest keep");
        Write(start, "d/__pycache__/old.pyc", "dest pyc");
        Write(start, "d/cache/stale", "dest cache");
        Write(start, "d/extra", "extra");
        Write(start, "d/e/gone", "gone");
        var ours = temp.Combine("ours");
        var theirs = temp.Combine("theirs");
        Rsync("-a", start + "/", ours + "/");
        Rsync("-a", start + "/", theirs + "/");

        var run = CliRun.Of("files", "--exclude", pattern, source, ours);
        Rsync("-a", "--delete", "--exclude", pattern, source + "/", theirs + "/");

        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal(Listing(theirs), Listing(ours));
        Assert.Equal("summary: nothing to do; DEST mirrors SOURCE (0 B to copy)\n", CliRun.Of("files", "-n", "--exclude", pattern, source, ours).Stdout);
    }
}
