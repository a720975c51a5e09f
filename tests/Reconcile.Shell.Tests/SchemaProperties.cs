using System.Text.Json;
using FsCheck.Xunit;
using Reconcile.Core.Files;
using Reconcile.Core.Stock;
using Reconcile.Core.Tests;
using Reconcile.Core.Tests.Files;
using Reconcile.Core.Tests.Stock;
using Reconcile.Shell.Files;
using Reconcile.Shell.Stock;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

/// <summary>Every JSON document the commands print is valid against docs/plan.schema.json.</summary>
[Properties(Arbitrary = new[] { typeof(FileGens), typeof(StockGens) })]
public class SchemaProperties
{
    [ReconcileProperty]
    public void FilesJsonFollowsTheSchema(TreePair pair)
    {
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, new FilePlanOptions(Checksum: true));
        using var text = new StringWriter();
        FilePlanWriter.WriteJson(text, plan, plan.IsEmpty ? null : new FileExecution(plan.Take(1).ToSeq(), ["copy a: disk full"], 1, 0));
        using var doc = JsonDocument.Parse(text.ToString());
        Assert.Empty(SchemaCheck.Plans.Problems(doc.RootElement));
    }

    [ReconcileProperty]
    public void StockJsonFollowsTheSchema(Scenario scenario)
    {
        using var text = new StringWriter();
        StockPlanFormatter.WriteJson(text, StockPlanner.Plan(scenario.Feed, scenario.State, scenario.Mode));
        using var doc = JsonDocument.Parse(text.ToString());
        Assert.Empty(SchemaCheck.Plans.Problems(doc.RootElement));
    }

    [Theory]
    [InlineData("""{"actions":[{"op":"copy","path":"a","bytes":1}],"summary":{}}""")]
    [InlineData("""{"actions":[{"op":"teleport","path":"a"}],"summary":{"create_batch":0,"change_quantity":0,"change_eta":0,"remove_batch":0,"deallocate":0,"allocate":0,"out_of_stock":0}}""")]
    [InlineData("""{"actions":[{"op":"delete","path":"../etc/passwd"}],"summary":{"copy":0,"update":0,"move":0,"delete":1,"local_copy":0,"stash":0,"touch":0,"mkdir":0,"rmdir":0,"bytes_to_copy":0}}""")]
    [InlineData("""{"actions":[{"op":"allocate","orderid":"o","sku":"s","qty":0,"batchref":"b"}],"summary":{"create_batch":0,"change_quantity":0,"change_eta":0,"remove_batch":0,"deallocate":0,"allocate":1,"out_of_stock":0}}""")]
    public void TheCheckRejectsDocumentsOutsideTheSchema(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.NotEmpty(SchemaCheck.Plans.Problems(doc.RootElement));
    }
}
