using System.IO.Abstractions;
using System.Text.Json;

namespace Reconcile.Shell.Common;

/// <summary>
/// What every saved plan (<c>--dry-run --plan-out FILE</c>) shares: a format version, the kind of job,
/// and the rules that every path in it must follow. A plan file is input like any other: a plan that
/// breaks these rules was not written by reconcile, and is rejected (exit 2) before anything runs.
/// </summary>
public static class PlanFile
{
    public const int Version = 1;
    public const string FormatField = "reconcile_plan";

    /// <summary>
    /// Saves a plan (<c>--plan-out</c>): written to a temporary file beside it and renamed into place, so a
    /// plan file is never half written. A failure is bad usage (exit 2), and nothing else has been changed.
    /// </summary>
    public static void Save(IFileSystem fileSystem, string path, Action<TextWriter> write)
    {
        var full = fileSystem.Path.GetFullPath(path);
        var temp = full + TemporaryName.New();
        try
        {
            using (var writer = new StreamWriter(fileSystem.FileStream.New(temp, FileMode.CreateNew, FileAccess.Write), new System.Text.UTF8Encoding(false)))
            {
                write(writer);
            }
            fileSystem.File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (fileSystem.File.Exists(temp))
            {
                fileSystem.File.Delete(temp);
            }
            throw RunStoppedException.BadInput($"--plan-out {path}: cannot write the plan: {e.Message}");
        }
    }

    /// <summary>The <c>kind</c> of a plan document (files, stock or allocate), after checking its version.</summary>
    public static string Kind(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(FormatField, out var version)
            || version.ValueKind != JsonValueKind.Number
            || version.GetInt32() != Version)
        {
            throw new PlanFormatException($"not a reconcile plan of format {Version} (no \"{FormatField}\": {Version})");
        }
        return Text(root, "kind");
    }

    public static string Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new PlanFormatException($"\"{name}\" must be a string");

    public static bool Boolean(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new PlanFormatException($"\"{name}\" must be true or false");

    public static JsonElement Array(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw new PlanFormatException($"\"{name}\" must be an array");

    public static JsonElement Section(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new PlanFormatException($"\"{name}\" must be an object");

    /// <summary>An absolute, normalized root path (what a plan records for SOURCE, DEST, STATE, FEED).</summary>
    public static string Root(JsonElement obj, string name)
    {
        var path = Text(obj, name);
        if (!Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal) || Path.GetFullPath(path) != path)
        {
            throw new PlanFormatException($"\"{name}\" must be an absolute, normalized path, not '{path}'");
        }
        return path;
    }

    /// <summary>
    /// A path inside a root: '/' separators, not empty, not absolute, no empty, '.' or '..' segment, no
    /// backslash or control character. Such a path cannot leave its root by its spelling; links on the
    /// way are checked against the gathered trees and again when each action runs.
    /// </summary>
    public static string RelativePath(string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.EndsWith('/')
            || path.Any(c => char.IsControl(c) || c == '\\')
            || (path.Length >= 2 && path[1] == ':'))
        {
            throw new PlanFormatException($"path '{Printable(path)}' is not a relative path inside its root");
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw new PlanFormatException($"path '{Printable(path)}' has an empty, '.' or '..' segment");
            }
        }
        return path;
    }

    private static string Printable(string path) =>
        new(path.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

/// <summary>A plan file that is not well formed, or breaks the path rules.</summary>
public sealed class PlanFormatException(string message) : Exception(message);
