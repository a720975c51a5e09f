using System.Diagnostics;

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

    /// <summary>Runs in <paramref name="directory"/>, so that relative paths resolve there.</summary>
    public static CliRun In(string directory, params string[] args) =>
        Start(null, null, args, directory);

    /// <summary>
    /// Runs as the unprivileged user <c>nobody</c> through setpriv, so that permission bits really
    /// deny reads; only possible when the tests run as root.
    /// </summary>
    public static CliRun AsNobody(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], environment, args);

    private static CliRun Start(string[]? prefix, IReadOnlyDictionary<string, string>? environment, string[] args, string? directory = null)
    {
        var command = (prefix ?? []).Concat(Program).Concat(args).ToList();
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
