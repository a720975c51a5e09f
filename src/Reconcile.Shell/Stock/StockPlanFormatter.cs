using System.Text;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>Prints a stock plan: one line per action then a summary, or one JSON document.</summary>
internal static class StockPlanFormatter
{
    /// <summary>
    /// One line per action in aligned columns (kind, batch ref or order id, sku, quantity, then where
    /// from or to), then the summary: batches created, changed and removed; lines moved to another
    /// batch, backorders filled and new backorders.
    /// </summary>
    public static void WriteText(TextWriter output, Seq<StockAction> plan)
    {
        var cells = plan.Select(Cells).ToList();
        var widths = new int[4];
        foreach (var row in cells)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in cells)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i < widths.Length ? row[i].PadRight(widths[i] + 2) : row[i]);
            }
            output.WriteLine(line.ToString().TrimEnd());
        }
        output.WriteLine(SummaryLine(plan));
    }

    public static string SummaryLine(Seq<StockAction> plan)
    {
        if (plan.IsEmpty)
        {
            return "summary: nothing to do; STATE already agrees (0 actions)";
        }
        var s = StockSummary.Of(plan);
        return $"summary: batches {s.CreateBatch} created, {s.BatchesChanged} changed, {s.RemoveBatch} removed; "
            + $"lines {s.Moved} moved, {s.NewlyAllocated} newly allocated, {s.OutOfStock} backordered";
    }

    private static string[] Cells(StockAction action) => action switch
    {
        CreateBatch c => ["create_batch", c.Ref, c.Sku, Qty(c.Qty), Eta(c.Eta)],
        ChangeQuantity c => ["change_quantity", c.Ref, "", "", $"qty {c.From} → {c.To}"],
        ChangeEta c => ["change_eta", c.Ref, "", "", $"{Eta(c.From)} → {Eta(c.To)}"],
        RemoveBatch r => ["remove_batch", r.Ref, "", "", ""],
        Deallocate d => ["deallocate", d.OrderId, d.Sku, Qty(d.Qty), "from " + d.BatchRef],
        Allocate a => ["allocate", a.OrderId, a.Sku, Qty(a.Qty), "to " + a.BatchRef],
        OutOfStock o => ["out_of_stock", o.OrderId, o.Sku, Qty(o.Qty), "backordered"],
        _ => throw new ArgumentException($"unknown action {action}", nameof(action)),
    };

    private static string Qty(long qty) => "qty " + qty.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Eta(DateOnly? eta) => eta is null ? "in stock" : "eta " + StockCsv.Date(eta);

    public static void WriteJson(TextWriter output, Seq<StockAction> plan) =>
        output.WriteLine(JsonText.Document(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("actions");
            foreach (var action in plan)
            {
                WriteAction(json, action);
            }
            json.WriteEndArray();
            WriteSummary(json, plan);
            json.WriteEndObject();
        }));

    /// <summary>The <c>summary</c> object: how many actions of each op.</summary>
    public static void WriteSummary(Utf8JsonWriter json, Seq<StockAction> plan)
    {
        var s = StockSummary.Of(plan);
        json.WriteStartObject("summary");
        json.WriteNumber("create_batch", s.CreateBatch);
        json.WriteNumber("change_quantity", s.ChangeQuantity);
        json.WriteNumber("change_eta", s.ChangeEta);
        json.WriteNumber("remove_batch", s.RemoveBatch);
        json.WriteNumber("deallocate", s.Deallocate);
        json.WriteNumber("allocate", s.Allocate);
        json.WriteNumber("out_of_stock", s.OutOfStock);
        json.WriteEndObject();
    }

    public static void WriteAction(Utf8JsonWriter json, StockAction action)
    {
        json.WriteStartObject();
        switch (action)
        {
            case CreateBatch c:
                json.WriteString("op", "create_batch");
                json.WriteString("ref", c.Ref);
                json.WriteString("sku", c.Sku);
                json.WriteNumber("qty", c.Qty);
                WriteEta(json, "eta", c.Eta);
                break;
            case ChangeQuantity c:
                json.WriteString("op", "change_quantity");
                json.WriteString("ref", c.Ref);
                json.WriteNumber("from", c.From);
                json.WriteNumber("to", c.To);
                break;
            case ChangeEta c:
                json.WriteString("op", "change_eta");
                json.WriteString("ref", c.Ref);
                WriteEta(json, "from", c.From);
                WriteEta(json, "to", c.To);
                break;
            case RemoveBatch r:
                json.WriteString("op", "remove_batch");
                json.WriteString("ref", r.Ref);
                break;
            case Deallocate d:
                WriteLine(json, "deallocate", d.OrderId, d.Sku, d.Qty);
                json.WriteString("batchref", d.BatchRef);
                break;
            case Allocate a:
                WriteLine(json, "allocate", a.OrderId, a.Sku, a.Qty);
                json.WriteString("batchref", a.BatchRef);
                break;
            case OutOfStock o:
                WriteLine(json, "out_of_stock", o.OrderId, o.Sku, o.Qty);
                break;
            default:
                throw new ArgumentException($"unknown action {action}", nameof(action));
        }
        json.WriteEndObject();
    }

    private static void WriteLine(Utf8JsonWriter json, string op, string orderId, string sku, long qty)
    {
        json.WriteString("op", op);
        json.WriteString("orderid", orderId);
        json.WriteString("sku", sku);
        json.WriteNumber("qty", qty);
    }

    private static void WriteEta(Utf8JsonWriter json, string name, DateOnly? eta) =>
        json.WriteStringOrNull(name, eta is null ? null : StockCsv.Date(eta));
}
