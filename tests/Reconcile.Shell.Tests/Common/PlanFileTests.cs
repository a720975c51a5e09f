using System.IO.Abstractions.TestingHelpers;
using Reconcile.Core.Common;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// Saving a plan (<c>--plan-out</c>) on an in-memory file system: what lies beside the plan afterwards
/// is the whole story, and a write can fail half way without a real full disk.
/// </summary>
public class PlanFileTests
{
    private const string Plans = "/srv/plans";
    private const string Plan = "/srv/plans/plan.json";

    [Fact]
    public void APlanIsWrittenWholeUnderItsNameWithNothingLeftBeside()
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddDirectory(Plans);
        fileSystem.AddFile(Plan, new MockFileData("an older plan"));

        PlanFile.Save(fileSystem, Plan, writer => writer.Write("{\"actions\": []}"));

        Assert.Equal("{\"actions\": []}", fileSystem.File.ReadAllText(Plan));
        Assert.Equal([Plan], fileSystem.Directory.GetFiles(Plans));
    }

    [Fact]
    public void AWriteThatFailsHalfWayIsBadInputAndLeavesTheOldPlanAndNoTemporaryFile()
    {
        var fileSystem = new MockFileSystem();
        fileSystem.AddDirectory(Plans);
        fileSystem.AddFile(Plan, new MockFileData("an older plan"));

        var stopped = Assert.Throws<RunStoppedException>(() => PlanFile.Save(fileSystem, Plan, writer =>
        {
            writer.Write("{\"actions\": [");
            writer.Flush();
            throw new IOException("No space left on device");
        }));

        Assert.Equal(ProblemKind.BadInput, stopped.Problem.Kind);
        Assert.Equal($"--plan-out {Plan}: cannot write the plan: No space left on device", stopped.Problem.Message);
        Assert.Equal("an older plan", fileSystem.File.ReadAllText(Plan));
        Assert.Equal([Plan], fileSystem.Directory.GetFiles(Plans));
    }

    [Fact]
    public void APlanInADirectoryThatDoesNotExistIsBadInputAndCreatesNothing()
    {
        var fileSystem = new MockFileSystem();

        var stopped = Assert.Throws<RunStoppedException>(() => PlanFile.Save(fileSystem, Plan, writer => writer.Write("{}")));

        Assert.Equal(ProblemKind.BadInput, stopped.Problem.Kind);
        Assert.StartsWith($"--plan-out {Plan}: cannot write the plan: ", stopped.Problem.Message, StringComparison.Ordinal);
        Assert.False(fileSystem.Directory.Exists(Plans));
    }
}
