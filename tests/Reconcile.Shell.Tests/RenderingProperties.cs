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

/// <summary>The text and JSON renderings of a generated plan describe the same actions, in the same order.</summary>
[Properties(Arbitrary = new[] { typeof(FileGens), typeof(StockGens) })]
public class RenderingProperties
{
    [ReconcileProperty]
    public void TextAndJsonDescribeTheSameFilesPlan(TreePair pair)
    {
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, new FilePlanOptions(Checksum: true));
        using var text = new StringWriter();
        FilePlanWriter.WriteText(text, plan);
        using var json = new StringWriter();
        FilePlanWriter.WriteJson(json, plan);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var doc = JsonDocument.Parse(json.ToString());
        var actions = doc.RootElement.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal(actions.Count + 1, lines.Length);
        for (var i = 0; i < actions.Count; i++)
        {
            var op = actions[i].GetProperty("op").GetString()!;
            Assert.StartsWith(op + " ", lines[i], StringComparison.Ordinal);
            foreach (var field in new[] { "path", "from", "to" })
            {
                if (actions[i].TryGetProperty(field, out var path))
                {
                    Assert.Contains(path.GetString()!, lines[i], StringComparison.Ordinal);
                }
            }
        }
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(plan.Count(a => a is CopyFile), summary.GetProperty("copy").GetInt32());
        Assert.Equal(FileSummary.Of(plan).BytesToCopy, summary.GetProperty("bytes_to_copy").GetInt64());
        Assert.StartsWith("summary: ", lines[^1], StringComparison.Ordinal);
    }

    [ReconcileProperty]
    public void TextAndJsonDescribeTheSameStockPlan(Scenario scenario)
    {
        var plan = StockPlanner.Plan(scenario.Feed, scenario.State, scenario.Mode);
        using var text = new StringWriter();
        StockPlanFormatter.WriteText(text, plan);
        using var json = new StringWriter();
        StockPlanFormatter.WriteJson(json, plan);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var doc = JsonDocument.Parse(json.ToString());
        var actions = doc.RootElement.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal(actions.Count + 1, lines.Length);
        for (var i = 0; i < actions.Count; i++)
        {
            Assert.StartsWith(actions[i].GetProperty("op").GetString() + " ", lines[i], StringComparison.Ordinal);
            foreach (var field in new[] { "ref", "sku", "orderid", "batchref" })
            {
                if (actions[i].TryGetProperty(field, out var value))
                {
                    Assert.Contains(value.GetString()!, lines[i], StringComparison.Ordinal);
                }
            }
            if (actions[i].TryGetProperty("qty", out var qty))
            {
                Assert.Contains("qty " + qty.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), lines[i], StringComparison.Ordinal);
            }
        }
        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(plan.Count(a => a is Allocate), summary.GetProperty("allocate").GetInt32());
        Assert.Equal(plan.Count(a => a is OutOfStock), summary.GetProperty("out_of_stock").GetInt32());
    }
}
