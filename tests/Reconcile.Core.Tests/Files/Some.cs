using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>Canned trees for example tests: files as (path, content id), directories as paths ending in '/'.</summary>
public static class Some
{
    public static FileTree Tree(params (string Path, int Content)[] files) => Tree(files, []);

    public static FileTree Tree((string Path, int Content)[] files, string[] dirs) =>
        new(
            files.ToDictionary(f => f.Path, f => FileGens.Entry(f.Content), StringComparer.Ordinal),
            dirs.ToHashSet(StringComparer.Ordinal));

    public static FileTree Dirs(params string[] dirs) => Tree([], dirs);

    public static Seq<FileAction> Plan(FileTree source, FileTree dest, bool checksum = true) =>
        FilePlanner.Plan(source, dest, new FilePlanOptions(Checksum: checksum));

    /// <summary>Plans, applies the plan in the simulator, and checks that DEST then equals SOURCE.</summary>
    public static Seq<FileAction> PlanAndVerify(FileTree source, FileTree dest, bool checksum = true)
    {
        var plan = Plan(source, dest, checksum);
        var result = FileSimulator.Apply(dest, plan, source);
        var after = result.Match(t => t, error => throw new Xunit.Sdk.XunitException(error + "\n" + string.Join("\n", plan)));
        Assert.True(FileSimulator.SameTree(source, after, out var difference), difference + "\n" + string.Join("\n", plan));
        Assert.Empty(Plan(source, after, checksum));
        return plan;
    }
}
