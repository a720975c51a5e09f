using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Shell.Stock;

/// <summary>Prints a stock plan: one line per action then a summary, or one JSON document.</summary>
internal static class StockPlanFormatter
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Output for terminals and tools, never embedded in HTML: keep non-ASCII text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteText(TextWriter output, Seq<StockAction> plan)
    {
        foreach (var action in plan)
        {
            output.WriteLine(Text(action));
        }
        var s = StockSummary.Of(plan);
        output.WriteLine(
            $"{s.CreateBatch} batches created, {s.BatchesChanged} changed, {s.RemoveBatch} removed; " +
            $"{s.Deallocate} lines deallocated, {s.Allocate} allocated, {s.OutOfStock} out of stock");
    }

    public static string Text(StockAction action) => action switch
    {
        CreateBatch c => $"create_batch {c.Ref} {c.Sku} qty {c.Qty} {Eta(c.Eta)}",
        ChangeQuantity c => $"change_quantity {c.Ref} {c.From} -> {c.To}",
        ChangeEta c => $"change_eta {c.Ref} {Eta(c.From)} -> {Eta(c.To)}",
        RemoveBatch r => $"remove_batch {r.Ref}",
        Deallocate d => $"deallocate {d.OrderId} {d.Sku} qty {d.Qty} from {d.BatchRef}",
        Allocate a => $"allocate {a.OrderId} {a.Sku} qty {a.Qty} to {a.BatchRef}",
        OutOfStock o => $"out_of_stock {o.OrderId} {o.Sku} qty {o.Qty}",
        _ => throw new ArgumentException($"unknown action {action}", nameof(action)),
    };

    private static string Eta(DateOnly? eta) => eta is null ? "in stock" : "eta " + StockCsv.Date(eta);

    public static void WriteJson(TextWriter output, Seq<StockAction> plan)
    {
        output.WriteLine(Json(plan, _ => { }));
    }

    /// <summary>A one-line JSON document: the extra fields first, then actions and summary.</summary>
    public static string Json(Seq<StockAction> plan, Action<Utf8JsonWriter> extra)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            extra(json);
            json.WriteStartArray("actions");
            foreach (var action in plan)
            {
                WriteAction(json, action);
            }
            json.WriteEndArray();
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
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
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

    private static void WriteLine(Utf8JsonWriter json, string op, string orderId, string sku, int qty)
    {
        json.WriteString("op", op);
        json.WriteString("orderid", orderId);
        json.WriteString("sku", sku);
        json.WriteNumber("qty", qty);
    }

    private static void WriteEta(Utf8JsonWriter json, string name, DateOnly? eta)
    {
        if (eta is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, StockCsv.Date(eta));
        }
    }
}
