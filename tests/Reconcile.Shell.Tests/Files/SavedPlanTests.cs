using System.Text.Json.Nodes;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary><c>--dry-run --plan-out</c> then <c>reconcile apply</c>: round trip, staleness and tampering.</summary>
public sealed class SavedPlanTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private (string Source, string Dest, string Plan) Saved()
    {
        var source = temp.CopySample("files/source", "source");
        var dest = temp.CopySample("files/dest", "dest");
        var plan = temp.Combine("plan.json");
        var run = CliRun.Of("files", "-n", "--plan-out", plan, "--exclude", "*.tmp", source, dest);
        Assert.True(run.ExitCode == 0, run.ToString());
        return (source, dest, plan);
    }

    [Fact]
    public void ASavedPlanReadsBackEqualAndWritesBackIdentical()
    {
        var (_, _, plan) = Saved();
        var text = File.ReadAllText(plan);
        var read = FilePlanReader.ReadSavedPlan(text);
        Assert.Equal(8, read.Actions.Count);
        Assert.Equal(new[] { "*.tmp" }, read.Options.Excludes.ToArray());
        using var again = new StringWriter();
        FilePlanWriter.WriteSavedPlan(again, read);
        Assert.Equal(text, again.ToString());
        Assert.Equal(read, FilePlanReader.ReadSavedPlan(again.ToString()));
    }

    [Fact]
    public void ApplyRunsTheSavedPlanAndRefusesItOnceStale()
    {
        var (source, dest, plan) = Saved();
        var applied = CliRun.Of("apply", plan);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(TreeSnapshot.Of(source), TreeSnapshot.Of(dest));
        var before = TreeSnapshot.Of(dest);
        var stale = CliRun.Of("apply", plan);
        Assert.Equal(ExitCodes.Refused, stale.ExitCode);
        Assert.Contains("stale plan", stale.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Of(dest));
    }

    [Fact]
    public void AChangeInSourceAfterSavingMakesThePlanStale()
    {
        var (source, dest, plan) = Saved();
        File.AppendAllText(Path.Combine(source, "docs/budget.txt"), "one more line");
        var before = TreeSnapshot.Of(dest);
        Assert.Equal(ExitCodes.Refused, CliRun.Of("apply", plan).ExitCode);
        Assert.Equal(before, TreeSnapshot.Of(dest));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../outside")]
    [InlineData("docs/../../outside")]
    [InlineData("docs//notes.txt")]
    [InlineData("./docs")]
    [InlineData("")]
    [InlineData("docs/")]
    [InlineData("a\\..\\b")]
    [InlineData("bad\u0001name")]
    public void ATamperedPathIsRejectedBeforeAnythingRuns(string path)
    {
        var (_, dest, plan) = Saved();
        var json = JsonNode.Parse(File.ReadAllText(plan))!;
        json["actions"]!.AsArray().Add(new JsonObject { ["op"] = "delete", ["path"] = path });
        RejectedBeforeAnythingRuns(plan, json, dest, "invalid plan");
    }

    /// <summary>Saves the edited plan and applies it: bad input, the reason on stderr, DEST untouched.</summary>
    private static void RejectedBeforeAnythingRuns(string plan, JsonNode edited, string dest, string reason)
    {
        File.WriteAllText(plan, edited.ToJsonString());
        var before = TreeSnapshot.Of(dest);
        var run = CliRun.Of("apply", plan);
        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        Assert.Contains(reason, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Of(dest));
    }

    /// <summary>Metadata edited by hand in a saved plan: what SOURCE does not have is never given.</summary>
    [Theory]
    [InlineData("mode", "6777")]
    [InlineData("mtime_ns", "1000000000.000000001")]
    [InlineData("owner", "0")]
    [InlineData("target", "/etc")]
    public void AMetadataEditIsRejectedBeforeAnythingRuns(string field, string value)
    {
        var (_, dest, plan) = Saved();
        var json = JsonNode.Parse(File.ReadAllText(plan))!;
        var actions = json["actions"]!.AsArray();
        var copy = actions.First(a => (string?)a!["op"] == "copy")!.AsObject();
        switch (field)
        {
            case "mtime_ns":
                copy["mtime"] = "2001-09-09T01:46:40.0000000Z";
                copy["mtime_ns"] = value;
                break;
            case "owner":
                // An owner that is not the one SOURCE's file has (as root, the plan names it; else none is kept).
                copy["owner"] = copy["owner"] is null ? 4242 : (int)copy["owner"]! + 1;
                break;
            case "target":
                // A link SOURCE does not have, in place of the file it has.
                actions[actions.IndexOf(copy)] = new JsonObject
                {
                    ["op"] = "link",
                    ["path"] = (string?)copy["path"],
                    ["target"] = value,
                    ["replaces"] = false,
                    ["mtime"] = (string?)copy["mtime"],
                    ["mode"] = "0777",
                };
                break;
            default:
                copy[field] = value;
                break;
        }
        RejectedBeforeAnythingRuns(plan, json, dest, "does not fit its trees");
    }

    [SkippableFact]
    public void APlanThatWritesThroughALinkOrOutsideItsTreesIsRejected()
    {
        Skip.If(OperatingSystem.IsWindows(), "creating symbolic links needs Unix");
        var (_, dest, plan) = Saved();
        var outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(dest, "escape"), outside);
        // A fresh plan that knows the link, then an action added that writes through it.
        var source = temp.Combine("source");
        Assert.Equal(0, CliRun.Of("files", "-n", "--plan-out", plan, source, dest).ExitCode);
        var json = JsonNode.Parse(File.ReadAllText(plan))!;
        json["actions"]!.AsArray().Insert(0, new JsonObject { ["op"] = "mkdir", ["path"] = "escape/inside" });
        File.WriteAllText(plan, json.ToJsonString());
        var run = CliRun.Of("apply", plan);
        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public void NotAPlanIsBadInput()
    {
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, "{\"actions\": []}");
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("apply", plan).ExitCode);
        File.WriteAllText(plan, "not json");
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("apply", plan).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("apply", temp.Combine("missing.json")).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRun.Of("files", "--plan-out", plan, temp.Path, temp.Combine("d")).ExitCode);
    }

}
