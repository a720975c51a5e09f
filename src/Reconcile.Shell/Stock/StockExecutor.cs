using System.Globalization;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>Applies a plan: the simulator computes the new state, the store commits it with a journal line.</summary>
internal static class StockExecutor
{
    /// <summary>
    /// Works out the new state and the journal line, writing nothing; the action returned commits them.
    /// An empty plan commits nothing, not even a journal line, so a scheduled run that finds nothing to
    /// do leaves STATE untouched.
    /// </summary>
    public static Action Prepare(
        StateStore store,
        StockState before,
        Seq<StockAction> plan,
        string command,
        IReadOnlyList<InputFile> inputs,
        IReadOnlyList<(string Name, string Value)> options,
        DateTimeOffset now,
        LoadedState? loaded = null)
    {
        if (plan.IsEmpty)
        {
            return () => { };
        }
        var after = StockSimulator.Apply(before, plan);
        var line = StockPlanFormatter.Json(plan, json =>
        {
            json.WriteString("time", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("command", command);
            foreach (var (name, value) in options)
            {
                json.WriteString(name, value);
            }
            json.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                json.WriteStartObject();
                json.WriteString("file", input.Name);
                json.WriteStringOrNull("sha256", input.Sha256);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (loaded is not null)
            {
                WriteValuesLeftBehind(json, after, loaded);
            }
        });
        return () => store.Commit(before, after, line, loaded);
    }

    /// <summary>
    /// The extra values of order lines that moved to the other order-line file, which has no column for
    /// them: the journal keeps them, so that no value is silently dropped. Nothing is written when there
    /// are none.
    /// </summary>
    private static void WriteValuesLeftBehind(System.Text.Json.Utf8JsonWriter json, StockState after, LoadedState loaded)
    {
        var left = new List<(string OrderId, string Sku, string File, (string Column, int Position, string Value) Value)>();
        if (loaded.Allocations.TakesFromOther)
        {
            foreach (var allocation in after.Allocations)
            {
                foreach (var value in loaded.Allocations.Left(StockCsv.LineKeyText(allocation.OrderId, allocation.Sku)))
                {
                    left.Add((allocation.OrderId, allocation.Sku, StateStore.UnallocatedFile, value));
                }
            }
        }
        if (loaded.Backorders.TakesFromOther)
        {
            foreach (var line in after.Backorders)
            {
                foreach (var value in loaded.Backorders.Left(StockCsv.LineKeyText(line.OrderId, line.Sku)))
                {
                    left.Add((line.OrderId, line.Sku, StateStore.AllocationsFile, value));
                }
            }
        }
        if (left.Count == 0)
        {
            return;
        }
        json.WriteStartArray("values_left_behind");
        foreach (var (orderId, sku, file, (column, position, value)) in left)
        {
            json.WriteStartObject();
            json.WriteString("orderid", orderId);
            json.WriteString("sku", sku);
            json.WriteString("file", file);
            json.WriteString("column", column);
            json.WriteNumber("position", position);
            json.WriteString("value", value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
