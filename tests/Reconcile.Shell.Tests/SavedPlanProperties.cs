using System.Text.Json;
using FsCheck.Xunit;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Core.Stock;
using Reconcile.Core.Tests;
using Reconcile.Core.Tests.Files;
using Reconcile.Core.Tests.Stock;
using Reconcile.Shell.Files;
using Reconcile.Shell.Stock;

namespace Reconcile.Shell.Tests;

/// <summary>A saved plan reads back equal to the plan that was saved, for any generated plan.</summary>
[Properties(Arbitrary = new[] { typeof(FileGens), typeof(StockGens) })]
public class SavedPlanProperties
{
    [ReconcileProperty]
    public void SavedFilesPlanRoundTripsThroughJson(TreePair pair)
    {
        var actions = FilePlanner.Plan(pair.Source, pair.Dest, new FilePlanOptions(Checksum: true));
        var saved = new SavedFilePlan(
            "/srv/source",
            "/mnt/mirror",
            new SavedFileOptions(true, Seq("*.tmp", "cache/"), 10, false, "/srv/backup"),
            new string('a', 64),
            new string('b', 64),
            actions);
        using var text = new StringWriter();
        FilePlanWriter.WriteSavedPlan(text, saved);
        var read = FilePlanReader.ReadSavedPlan(text.ToString());
        Assert.Equal(actions.ToArray(), read.Actions.ToArray());
        Assert.Equal(saved.Options.Excludes.ToArray(), read.Options.Excludes.ToArray());
        Assert.Equal(saved with { Actions = read.Actions, Options = saved.Options with { Excludes = read.Options.Excludes } }, read);
    }

    [ReconcileProperty]
    public void SavedStockPlanRoundTripsThroughJson(Scenario scenario)
    {
        var actions = StockPlanner.Plan(scenario.Feed, scenario.State, scenario.Mode);
        var saved = new SavedStockPlan(
            new StockRequest(StockJobKind.Stock, "/srv/feeds/feed.csv", "/srv/stock", scenario.Mode, 3),
            new string('c', 64),
            new StoreVersion($"batches.csv:{new string('d', 64)};allocations.csv:-;unallocated.csv:{new string('e', 64)}"),
            actions);
        using var document = JsonDocument.Parse(SavedStockPlan.Write(saved));
        var read = SavedStockPlan.Read(document.RootElement);
        Assert.Equal(actions.ToArray(), read.Actions.ToArray());
        Assert.Equal(saved.Request, read.Request);
        Assert.Equal((saved.InputSha256, saved.StoreVersion), (read.InputSha256, read.StoreVersion));
    }

    private static Seq<string> Seq(params string[] items) => items.ToSeq().Strict();
}
