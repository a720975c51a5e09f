using System.Diagnostics;
using System.Runtime.Versioning;

namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// One run of the built program in its own process: <c>dotnet reconcile.dll</c>, or the published
/// executable that <c>RECONCILE_EXE</c> names (a native or single-file build), so that the suite can be
/// run against what is shipped.
/// </summary>
public static class ExeRun
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "reconcile.dll");

    /// <summary>The published executable the suite runs instead of the built one, if any.</summary>
    public static string? Published { get; } =
        Environment.GetEnvironmentVariable("RECONCILE_EXE") is { Length: > 0 } exe ? Path.GetFullPath(exe) : null;

    /// <summary>The program and its first arguments, as a command starts it.</summary>
    public static IReadOnlyList<string> Program { get; } = Published is null ? ["dotnet", Dll] : [Published];

    /// <summary>Whether the tests run as root, where permission bits stop nothing.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static CliRun Of(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(null, environment, args);

    /// <summary>
    /// Runs with SIGINT and SIGTERM handled as by default, whatever this process inherited: a test suite
    /// started in the background of a shell script ignores SIGINT, and a program inherits an ignored signal
    /// (the runtime then leaves it ignored), so a test of what a signal does could not send it otherwise.
    /// </summary>
    public static CliRun WithDefaultSignals(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(["env", "--default-signal=INT,TERM"], environment, args);

    /// <summary>Runs in <paramref name="directory"/>, so that relative paths resolve there.</summary>
    public static CliRun In(string directory, params string[] args) =>
        Start(null, null, args, directory);

    /// <summary>
    /// Runs as the unprivileged user <c>nobody</c> through setpriv, so that permission bits really
    /// deny reads; only possible when the tests run as root. The program runs from a copy in
    /// <paramref name="programDirectory"/> (made there if missing), since nobody may be unable to
    /// enter the checkout: a clone under <c>/root</c>, or in a folder only root can open.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public static CliRun AsNobody(string programDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], environment, args, programDirectory, CopyProgram(programDirectory));

    /// <summary>Copies the built program (its own files and the libraries its deps.json names) into a directory any user can read.</summary>
    [UnsupportedOSPlatform("windows")]
    private static string CopyProgram(string directory)
    {
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var deps = Path.ChangeExtension(Dll, ".deps.json");
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(deps));
        var libraries = document.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(target => target.Value.EnumerateObject())
            .SelectMany(library => library.Value.TryGetProperty("runtime", out var runtime) ? runtime.EnumerateObject().Select(file => Path.GetFileName(file.Name)) : []);
        var files = new[] { Path.GetFileName(Dll), Path.GetFileName(deps), Path.GetFileName(Path.ChangeExtension(Dll, ".runtimeconfig.json")) }.Concat(libraries);
        foreach (var file in files.Distinct(StringComparer.Ordinal))
        {
            var target = Path.Combine(directory, file);
            File.Copy(Path.Combine(AppContext.BaseDirectory, file), target, overwrite: true);
            File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
        }
        return Path.Combine(directory, Path.GetFileName(Dll));
    }

    private static CliRun Start(string[]? prefix, IReadOnlyDictionary<string, string>? environment, string[] args, string? directory = null, string? dll = null)
    {
        // The copy made for another user, unless the suite runs a published executable.
        var program = dll is null || Published is not null ? Program : ["dotnet", dll];
        var command = (prefix ?? []).Concat(program).Concat(args).ToList();
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (directory is not null)
        {
            start.WorkingDirectory = directory;
        }
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout, stderr.Result);
    }
}
