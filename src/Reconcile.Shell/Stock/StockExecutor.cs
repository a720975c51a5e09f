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
        });
        return () => store.Commit(before, after, line, loaded);
    }
}
