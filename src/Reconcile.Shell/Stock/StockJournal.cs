using System.Globalization;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>
/// One applied plan, as the audit journal records it: when, which command with which options, every
/// input with its fingerprint (the store adds its own), and the actions.
/// </summary>
internal sealed record JournalEntry(
    DateTimeOffset Time,
    string Command,
    IReadOnlyList<(string Name, string Value)> Options,
    IReadOnlyList<InputFile> Inputs,
    Seq<StockAction> Actions);

/// <summary>Writes a journal entry as one line of JSON (<c>journal.jsonl</c> holds one per applied plan).</summary>
internal static class StockJournal
{
    /// <summary>The entry's line, without a newline; <paramref name="more"/> adds what a store records
    /// beside the inputs (the CSV store: values a moved line could not take along).</summary>
    public static string Line(JournalEntry entry, Action<Utf8JsonWriter>? more = null) =>
        JsonText.Document(
            json =>
            {
                json.WriteStartObject();
                json.WriteString("time", entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                json.WriteString("command", entry.Command);
                foreach (var (name, value) in entry.Options)
                {
                    json.WriteString(name, value);
                }
                json.WriteStartArray("inputs");
                foreach (var input in entry.Inputs)
                {
                    json.WriteStartObject();
                    json.WriteString("file", input.Name);
                    json.WriteStringOrNull("sha256", input.Sha256);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                more?.Invoke(json);
                json.WriteStartArray("actions");
                foreach (var action in entry.Actions)
                {
                    StockPlanFormatter.WriteAction(json, action);
                }
                json.WriteEndArray();
                StockPlanFormatter.WriteSummary(json, entry.Actions);
                json.WriteEndObject();
            },
            indented: false);
}
