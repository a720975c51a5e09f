using System.Globalization;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Files;

/// <summary>
/// Reads what <see cref="FilePlanWriter"/> writes: the inverse of <see cref="FilePlanWriter.WriteAction"/>
/// and <see cref="FilePlanWriter.WriteSavedPlan"/>, so that a saved plan reads back equal to the plan that
/// was saved. Anything else (an unknown op, a missing field, a path that could leave its root) is a
/// <see cref="PlanFormatException"/>.
/// </summary>
public static class FilePlanReader
{
    public static SavedFilePlan ReadSavedPlan(string json)
    {
        using var document = Parse(json);
        var root = document.RootElement;
        var kind = PlanFile.Kind(root);
        if (kind != SavedFilePlan.Kind)
        {
            throw new PlanFormatException($"a plan of kind \"{kind}\", not \"{SavedFilePlan.Kind}\"");
        }
        var options = PlanFile.Section(root, "options");
        var fingerprints = PlanFile.Section(root, "fingerprints");
        var excludes = PlanFile.Array(options, "exclude").EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new PlanFormatException("\"exclude\" must hold strings"))
            .ToSeq().Strict();
        return new SavedFilePlan(
            MirrorRoot(root, "source"),
            MirrorRoot(root, "dest"),
            new SavedFileOptions(
                PlanFile.Boolean(options, "checksum"),
                excludes,
                OptionalInt(options, "max_delete"),
                PlanFile.Boolean(options, "allow_empty_source"),
                options.TryGetProperty("backup_dir", out var backup) && backup.ValueKind == JsonValueKind.Null ? null : PlanFile.Root(options, "backup_dir"),
                ModifyWindow(options)),
            Fingerprint(fingerprints, "source"),
            Fingerprint(fingerprints, "dest"),
            ReadActions(PlanFile.Array(root, "actions")));
    }

    /// <summary>A root of a files plan: an absolute, normalized local path, or a remote root as a run records it (<c>sftp://user@host:port/absolute/path</c>).</summary>
    private static string MirrorRoot(JsonElement obj, string name)
    {
        var written = PlanFile.Text(obj, name);
        if (!written.StartsWith("sftp://", StringComparison.Ordinal))
        {
            return PlanFile.Root(obj, name);
        }
        var remote = Remote.RemoteRoot.Parse(written, name).Match(Right: r => r.IfNone(default(Remote.RemoteRoot)!), Left: _ => null);
        if (remote is null || !remote.Path.StartsWith('/') || Remote.SftpEndpoint.Normalize(remote.Path) != remote.Path || written.Any(char.IsControl))
        {
            throw new PlanFormatException($"\"{name}\" must be an absolute, normalized path or sftp://user@host:port/absolute/path, not '{written}'");
        }
        return written;
    }

    public static Seq<FileAction> ReadActions(JsonElement actions) =>
        actions.EnumerateArray().Select(ReadAction).ToSeq().Strict();

    public static FileAction ReadAction(JsonElement action)
    {
        if (action.ValueKind != JsonValueKind.Object)
        {
            throw new PlanFormatException("an action must be an object");
        }
        var op = PlanFile.Text(action, "op");
        return op switch
        {
            "copy" => new CopyFile(Path(action, "path"), Bytes(action), Meta(action)),
            "update" => new UpdateFile(Path(action, "path"), Bytes(action), Meta(action)),
            "move" => new MoveFile(Path(action, "from"), Path(action, "to"), Meta(action), PlanFile.Boolean(action, "replaces")),
            "local_copy" => new CopyLocal(Path(action, "from"), Path(action, "to"), Meta(action), PlanFile.Boolean(action, "replaces")),
            "stash" => new StashFile(Path(action, "from"), Path(action, "to")),
            "touch" => new TouchFile(Path(action, "path"), Meta(action)),
            "touch_link" => new TouchLink(Path(action, "path"), Meta(action)),
            "touch_dir" => new TouchDirectory(Name(action, "path") == "." ? "" : Path(action, "path"), Meta(action)),
            "link" => new MakeLink(Path(action, "path"), LinkTarget(action), Meta(action), PlanFile.Boolean(action, "replaces")),
            "mknod" => Node(action),
            "delete" => new DeleteFile(Path(action, "path")),
            "mkdir" => new MakeDirectory(Path(action, "path")),
            "rmdir" => new RemoveDirectory(Path(action, "path")),
            _ => throw new PlanFormatException($"unknown op \"{op}\""),
        };
    }

    internal static JsonDocument Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new PlanFormatException($"not valid JSON: {e.Message}");
        }
    }

    private static string Path(JsonElement action, string name) => PlanFile.RelativePath(Name(action, name));

    /// <summary>A name as <see cref="JsonText.WriteName"/> writes it: bytes that are not UTF-8 as <c>\udc80</c>..<c>\udcff</c>.</summary>
    private static string Name(JsonElement action, string name)
    {
        var text = action.TryGetProperty(name, out var value) ? JsonText.ReadName(value) : null;
        if (text is null)
        {
            throw new PlanFormatException($"\"{name}\" must be a string");
        }
        return NameBytes.IsName(text)
            ? text
            : throw new PlanFormatException($"\"{name}\" holds a lone surrogate that stands for no byte (only \\udc80..\\udcff do)");
    }

    private static string LinkTarget(JsonElement action)
    {
        var target = Name(action, "target");
        return target.Length > 0 && !target.Contains('\0', StringComparison.Ordinal)
            ? target
            : throw new PlanFormatException("\"target\" of a link must be a non-empty name without NUL");
    }

    private static MakeNode Node(JsonElement action)
    {
        var name = PlanFile.Text(action, "kind");
        var kind = NodeKinds.Parse(name) ?? throw new PlanFormatException($"\"kind\" '{name}' is not fifo, socket, char or block");
        var device = kind is EntryKind.CharDevice or EntryKind.BlockDevice
            ? DeviceNumbers.Make(DeviceNumber(action, "major"), DeviceNumber(action, "minor"))
            : 0;
        return new MakeNode(Path(action, "path"), kind, device, Meta(action), PlanFile.Boolean(action, "replaces"));
    }

    private static uint DeviceNumber(JsonElement action, string name) =>
        action.TryGetProperty(name, out var value) && value.TryGetUInt32(out var n)
            ? n
            : throw new PlanFormatException($"\"{name}\" must be a non-negative integer");

    private static uint Id(JsonElement action, string name) =>
        !action.TryGetProperty(name, out var value) ? FileMeta.NoOwner
        : value.TryGetUInt32(out var n) && n != FileMeta.NoOwner ? n
        : throw new PlanFormatException($"\"{name}\" must be a user or group number");

    private static long Bytes(JsonElement action) =>
        action.TryGetProperty("bytes", out var bytes) && bytes.TryGetInt64(out var n) && n >= 0
            ? n
            : throw new PlanFormatException("\"bytes\" must be a non-negative integer");

    private static FileMeta Meta(JsonElement action)
    {
        var mtime = PlanFile.Text(action, "mtime");
        var mode = PlanFile.Text(action, "mode");
        if (!DateTime.TryParseExact(mtime, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new PlanFormatException($"\"mtime\" '{mtime}' is not a UTC time like 2025-01-02T03:04:05.0000000Z");
        }
        if (mode.Length is < 1 or > 6 || mode.Any(c => c is < '0' or > '7'))
        {
            throw new PlanFormatException($"\"mode\" '{mode}' is not an octal mode");
        }
        var bits = Convert.ToInt32(mode, 8);
        if (bits > 0xFFF)
        {
            throw new PlanFormatException($"\"mode\" '{mode}' has bits beyond 7777");
        }
        var ns = FileTime.FromDateTime(DateTime.SpecifyKind(time, DateTimeKind.Utc));
        if (action.TryGetProperty("mtime_ns", out _))
        {
            var exact = PlanFile.Text(action, "mtime_ns");
            if (!FileTime.TryParse(exact, out var parsed))
            {
                throw new PlanFormatException($"\"mtime_ns\" '{exact}' is not seconds and nine digits of nanoseconds like 1735787045.123456789");
            }
            if (FileTime.FromDateTime(FileTime.ToDateTime(parsed)) != ns)
            {
                throw new PlanFormatException($"\"mtime_ns\" '{exact}' and \"mtime\" '{mtime}' are not the same time");
            }
            ns = parsed;
        }
        return new FileMeta(ns, bits, Id(action, "owner"), Id(action, "group"));
    }

    /// <summary>Plans saved before <c>--modify-window</c> existed compare whole seconds, as its default does.</summary>
    private static int ModifyWindow(JsonElement options) =>
        !options.TryGetProperty("modify_window", out var value) ? 0
        : value.TryGetInt32(out var n) ? n
        : throw new PlanFormatException("\"modify_window\" must be a whole number of seconds");

    private static int? OptionalInt(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.TryGetInt32(out var n) && n >= 0 ? n
        : throw new PlanFormatException($"\"{name}\" must be a non-negative integer or null");

    private static string Fingerprint(JsonElement obj, string name)
    {
        var value = PlanFile.Text(obj, name);
        return value.Length == 64 && value.All(char.IsAsciiHexDigitLower)
            ? value
            : throw new PlanFormatException($"fingerprint \"{name}\" must be 64 lowercase hex digits");
    }
}
