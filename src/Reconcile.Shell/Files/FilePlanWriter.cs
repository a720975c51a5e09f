using System.Globalization;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>The names JSON and saved plans give the kinds of node <see cref="MakeNode"/> makes.</summary>
public static class NodeKinds
{
    public static string Name(EntryKind kind) => kind switch
    {
        EntryKind.Fifo => "fifo",
        EntryKind.Socket => "socket",
        EntryKind.CharDevice => "char",
        EntryKind.BlockDevice => "block",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a node"),
    };

    public static EntryKind? Parse(string name) => name switch
    {
        "fifo" => EntryKind.Fifo,
        "socket" => EntryKind.Socket,
        "char" => EntryKind.CharDevice,
        "block" => EntryKind.BlockDevice,
        _ => null,
    };
}

/// <summary>Renders a files plan as itemized text or as one JSON document.</summary>
public static class FilePlanWriter
{
    /// <summary>
    /// One action as one line in fixed columns, so that a plan can be printed as it is carried out:
    /// the kind, the bytes it transfers (right-aligned), the path or <c>old → new</c>.
    /// </summary>
    public static string Line(FileAction action) =>
        Columns(action.Op, action is CopyFile or UpdateFile ? action.BytesFromSource : null, TerminalText.Escape(action.Target));

    /// <summary>The kind in 7 columns and the bytes in the next 10; a longer kind (<c>local_copy</c>, which has no bytes) takes room from the bytes, so paths stay aligned.</summary>
    private static string Columns(string kind, long? bytes, string what)
    {
        var size = bytes is { } b ? Sizes.Human(b) : "";
        return kind.PadRight(7) + size.PadLeft(Math.Max(0, 17 - Math.Max(7, kind.Length))) + "  " + what;
    }

    public static string SummaryLine(FileSummary s)
    {
        if (s.Total == 0)
        {
            return "summary: nothing to do; DEST mirrors SOURCE (0 B to copy)";
        }
        var parts = new List<string>
        {
            Count(s.Copy, "copy") + $" ({Sizes.Human(s.CopyBytes)})",
            Count(s.Update, "update") + $" ({Sizes.Human(s.UpdateBytes)})",
            Count(s.Move, "move"),
            Count(s.Delete, "delete"),
        };
        AddIfAny(parts, s.LocalCopy, "local copy");
        AddIfAny(parts, s.Stash, "stash");
        AddIfAny(parts, s.Touch, "touch");
        AddIfAny(parts, s.Mkdir, "mkdir");
        AddIfAny(parts, s.Rmdir, "rmdir");
        AddIfAny(parts, s.Link, "link");
        AddIfAny(parts, s.Node, "mknod");
        return $"summary: {string.Join(", ", parts)}; {Sizes.Human(s.BytesToCopy)} to copy";
    }

    /// <summary>
    /// The summary of a real run: what was done, and, when actions failed or were skipped, how many, so
    /// that a run that did nothing because everything failed never reads as a mirror with nothing to do.
    /// </summary>
    public static string OutcomeLine(FileExecution outcome)
    {
        if (outcome.Failed == 0 && outcome.Skipped == 0 && outcome.NotStarted == 0)
        {
            return SummaryLine(FileSummary.Of(outcome.Applied));
        }
        var done = outcome.Applied.IsEmpty ? "nothing" : SummaryLine(FileSummary.Of(outcome.Applied))["summary: ".Length..];
        var notStarted = outcome.NotStarted > 0 ? $", not started {outcome.NotStarted} (stopped by a signal)" : "";
        var errors = outcome.Failed + outcome.Skipped > 0 ? " (see the errors on stderr)" : "";
        return $"summary: done {done}; failed {outcome.Failed}, skipped {outcome.Skipped}{notStarted}{errors}";
    }

    public static void WriteText(TextWriter output, Seq<FileAction> plan)
    {
        foreach (var action in plan)
        {
            output.WriteLine(Line(action));
        }
        output.WriteLine(SummaryLine(FileSummary.Of(plan)));
    }

    /// <summary>The plan as <c>{"actions": [...], "summary": {...}}</c>, plus the failures and outcome of a real run.</summary>
    public static void WriteJson(TextWriter output, Seq<FileAction> plan, FileExecution? outcome = null)
    {
        output.WriteLine(JsonText.Document(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("actions");
            foreach (var action in plan)
            {
                WriteAction(json, action);
            }
            json.WriteEndArray();
            WriteSummary(json, FileSummary.Of(plan));
            if (outcome is not null)
            {
                json.WriteStartArray("failures");
                foreach (var failure in outcome.Failures)
                {
                    json.WriteStringValue(failure);
                }
                json.WriteEndArray();
                json.WriteStartObject("outcome");
                json.WriteNumber("done", outcome.Applied.Count);
                json.WriteNumber("failed", outcome.Failed);
                json.WriteNumber("skipped", outcome.Skipped);
                json.WriteNumber("not_started", outcome.NotStarted);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }));
    }

    /// <summary>A plan to apply later (see <see cref="SavedFilePlan"/>); <see cref="FilePlanReader.ReadSavedPlan"/> reads it back.</summary>
    public static void WriteSavedPlan(TextWriter output, SavedFilePlan plan)
    {
        output.WriteLine(JsonText.Document(json =>
        {
            json.WriteStartObject();
            json.WriteNumber(PlanFile.FormatField, PlanFile.Version);
            json.WriteString("kind", SavedFilePlan.Kind);
            json.WriteString("source", plan.Source);
            json.WriteString("dest", plan.Dest);
            json.WriteStartObject("options");
            json.WriteBoolean("checksum", plan.Options.Checksum);
            json.WriteStartArray("exclude");
            foreach (var pattern in plan.Options.Excludes)
            {
                json.WriteStringValue(pattern);
            }
            json.WriteEndArray();
            json.WriteNumberOrNull("max_delete", plan.Options.MaxDelete);
            json.WriteBoolean("allow_empty_source", plan.Options.AllowEmptySource);
            json.WriteStringOrNull("backup_dir", plan.Options.BackupDir);
            json.WriteNumber("modify_window", plan.Options.ModifyWindow);
            json.WriteEndObject();
            json.WriteStartObject("fingerprints");
            json.WriteString("source", plan.SourceFingerprint);
            json.WriteString("dest", plan.DestFingerprint);
            json.WriteEndObject();
            json.WriteStartArray("actions");
            foreach (var action in plan.Actions)
            {
                WriteAction(json, action);
            }
            json.WriteEndArray();
            WriteSummary(json, FileSummary.Of(plan.Actions));
            json.WriteEndObject();
        }));
    }


    public static void WriteAction(Utf8JsonWriter json, FileAction action)
    {
        json.WriteStartObject();
        json.WriteString("op", action.Op);
        switch (action)
        {
            case CopyFile c:
                json.WriteName("path", c.Path);
                json.WriteNumber("bytes", c.Bytes);
                WriteMeta(json, c.Meta);
                break;
            case UpdateFile u:
                json.WriteName("path", u.Path);
                json.WriteNumber("bytes", u.Bytes);
                WriteMeta(json, u.Meta);
                break;
            case MoveFile m:
                json.WriteName("from", m.From);
                json.WriteName("to", m.To);
                json.WriteBoolean("replaces", m.Replaces);
                WriteMeta(json, m.Meta);
                break;
            case CopyLocal l:
                json.WriteName("from", l.From);
                json.WriteName("to", l.To);
                json.WriteBoolean("replaces", l.Replaces);
                WriteMeta(json, l.Meta);
                break;
            case StashFile s:
                json.WriteName("from", s.From);
                json.WriteName("to", s.To);
                break;
            case TouchFile t:
                json.WriteName("path", t.Path);
                WriteMeta(json, t.Meta);
                break;
            case TouchLink t:
                json.WriteName("path", t.Path);
                WriteMeta(json, t.Meta);
                break;
            case TouchDirectory t:
                json.WriteName("path", t.Path.Length == 0 ? "." : t.Path);
                WriteMeta(json, t.Meta);
                break;
            case MakeLink l:
                json.WriteName("path", l.Path);
                json.WriteName("target", l.LinkTarget);
                json.WriteBoolean("replaces", l.Replaces);
                WriteMeta(json, l.Meta);
                break;
            case MakeNode n:
                json.WriteName("path", n.Path);
                json.WriteString("kind", NodeKinds.Name(n.Kind));
                if (n.Kind is EntryKind.CharDevice or EntryKind.BlockDevice)
                {
                    json.WriteNumber("major", DeviceNumbers.Major(n.Device));
                    json.WriteNumber("minor", DeviceNumbers.Minor(n.Device));
                }
                json.WriteBoolean("replaces", n.Replaces);
                WriteMeta(json, n.Meta);
                break;
            case DeleteFile d:
                json.WriteName("path", d.Path);
                break;
            case MakeDirectory d:
                json.WriteName("path", d.Path);
                break;
            case RemoveDirectory d:
                json.WriteName("path", d.Path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// The time twice: <c>mtime</c> to 100 ns as it always was, and <c>mtime_ns</c> exactly, as seconds and
    /// nanoseconds since the epoch (<c>find -printf %T@</c>); the owner and group only where they are kept.
    /// </summary>
    private static void WriteMeta(Utf8JsonWriter json, FileMeta meta)
    {
        json.WriteString("mtime", meta.ModifiedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("mtime_ns", FileTime.Format(meta.ModifiedNs));
        json.WriteString("mode", Convert.ToString(meta.Mode, 8).PadLeft(4, '0'));
        if (meta.Owner != FileMeta.NoOwner)
        {
            json.WriteNumber("owner", meta.Owner);
        }
        if (meta.Group != FileMeta.NoOwner)
        {
            json.WriteNumber("group", meta.Group);
        }
    }

    private static void WriteSummary(Utf8JsonWriter json, FileSummary s)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("copy", s.Copy);
        json.WriteNumber("update", s.Update);
        json.WriteNumber("move", s.Move);
        json.WriteNumber("delete", s.Delete);
        json.WriteNumber("local_copy", s.LocalCopy);
        json.WriteNumber("stash", s.Stash);
        json.WriteNumber("touch", s.Touch);
        json.WriteNumber("mkdir", s.Mkdir);
        json.WriteNumber("rmdir", s.Rmdir);
        json.WriteNumber("link", s.Link);
        json.WriteNumber("mknod", s.Node);
        json.WriteNumber("bytes_to_copy", s.BytesToCopy);
        json.WriteEndObject();
    }

    private static string Count(int n, string what) => n.ToString(CultureInfo.InvariantCulture) + " " + what;

    private static void AddIfAny(List<string> parts, int n, string what)
    {
        if (n > 0)
        {
            parts.Add(Count(n, what));
        }
    }
}
