using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;
using Xunit.Abstractions;

namespace Reconcile.Shell.Tests.Safety;

/// <summary>
/// Fault injection: a <c>files</c> run is killed with SIGKILL at each of its steps in turn (the
/// <see cref="KillPoint"/> test hook), then run again. Every time, the second run must leave DEST equal to
/// SOURCE with no temporary file, and every file DEST held before must still exist in SOURCE, DEST or
/// the backup directory.
/// </summary>
public sealed class FilesKillTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTime Time = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// With a backup directory every action runs in order; without one, transfers and deletions run
    /// side by side, and step N must still stop the run at the same action every time: the run killed
    /// at N is done twice, on two copies of the fixture, and both must be left in the same state.
    /// </summary>
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryKillPointIsRepairedByTheNextRunAndNoContentIsLost(bool withBackup)
    {
        Skip.If(OperatingSystem.IsWindows(), "the kill hook sends SIGKILL, which only Unix has");
        var outcomes = KillRuns.Sweep(n => KillAt(n, withBackup));
        output.WriteLine($"files: {outcomes.KillPoints} kill points, each repaired by the next run");
        Assert.True(outcomes.KillPoints >= 20, $"only {outcomes.KillPoints} kill points");
    }

    /// <summary>Returns whether the run was killed; asserts the repair.</summary>
    private bool KillAt(int n, bool withBackup)
    {
        var root = temp.Combine(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (source, dest) = Fixture(root);
        var backup = Path.Combine(root, "backup");
        var env = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = Path.Combine(root, "cache") };
        string[] Args(string from, string to) => withBackup ? ["files", "--backup-dir", backup, from, to] : ["files", from, to];
        var sourceBefore = TreeSnapshot.Of(source);
        var contentBefore = ContentSet.Of(dest);
        var kill = new Dictionary<string, string>(env) { [KillPoint.Variable] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var first = ExeRun.Of(kill, Args(source, dest));
        if (first.ExitCode == 0)
        {
            return false;
        }
        Assert.True(first.ExitCode == 137, $"kill point {n}: {first}");
        if (!withBackup)
        {
            var (twinSource, twinDest) = Fixture(root + "-twin");
            var twin = ExeRun.Of(kill, Args(twinSource, twinDest));
            Assert.True(twin.ExitCode == 137, $"kill point {n}, second time: {twin}");
            Assert.True(KilledState(dest) == KilledState(twinDest), $"kill point {n} stopped two runs in different states:\n{KilledState(dest)}\n--- and\n{KilledState(twinDest)}");
        }
        var second = ExeRun.Of(env, Args(source, dest));
        Assert.True(second.ExitCode == 0, $"after kill point {n}: {second}");
        Assert.Equal(sourceBefore, TreeSnapshot.Of(source));
        Assert.True(sourceBefore.Equals(TreeSnapshot.Of(dest)), $"after kill point {n}: DEST is not a mirror:\n{TreeSnapshot.Of(dest)}");
        Assert.Empty(ContentSet.Leftovers(dest));
        if (withBackup)
        {
            var after = ContentSet.Of(source, dest, backup);
            Assert.True(contentBefore.IsSubsetOf(after), $"after kill point {n}: content lost");
        }
        return true;
    }

    /// <summary>DEST as a killed run left it; temporary files are named by a random part, which is left out.</summary>
    private static string KilledState(string dest) =>
        string.Join("\n", TreeSnapshot.Of(dest).Entries
            .Select(e => System.Text.RegularExpressions.Regex.Replace(e.Key, @"\.reconcile-[0-9a-f]+\.part$", ".reconcile-*.part") + ": " + e.Value)
            .Order(StringComparer.Ordinal));

    /// <summary>A bit of everything: a swap (stash), moves, an update, a file/directory swap, local copies, deletions.</summary>
    private static (string Source, string Dest) Fixture(string root)
    {
        var source = Path.Combine(root, "source");
        var dest = Path.Combine(root, "dest");
        var big = new string('z', 3000);
        Write(source, "a", big + "A");
        Write(source, "b", big + "B");
        Write(dest, "a", big + "B");
        Write(dest, "b", big + "A");
        Write(source, "photos/cat.jpg", big + "cat");
        Write(dest, "cat.jpg", big + "cat");
        Write(source, "docs/notes.txt", "new notes");
        Write(dest, "docs/notes.txt", "old notes, only in DEST");
        Write(source, "x/inner", "x is a directory now");
        Write(dest, "x", "x was a file, only in DEST");
        Write(source, "y", "y is a file now");
        Write(dest, "y/inner", "y was a directory, only in DEST");
        Write(source, "new/deep/file", "brand new");
        Write(source, "dup1", big + "dup");
        Write(source, "dup2", big + "dup");
        Write(dest, "old-draft.txt", "deleted, only in DEST");
        Write(dest, "olddir/f", "deleted with its directory, only in DEST");
        Write(source, "touched", "same bytes");
        Write(dest, "touched", "same bytes", Time.AddDays(-1000));
        Directory.CreateDirectory(Path.Combine(source, "emptydir"));
        return (source, dest);
    }

    private static void Write(string root, string relative, string content, DateTime? time = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        // Different contents carry different times, as real files do, so the quick check sees every change.
        var seconds = content.Aggregate(17L, (h, c) => (h * 31 + c) % 10_000_000);
        File.SetLastWriteTimeUtc(path, time ?? Time.AddSeconds(seconds));
    }
}
