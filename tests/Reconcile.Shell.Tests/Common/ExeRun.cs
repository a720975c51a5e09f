using System.Diagnostics;

namespace Reconcile.Shell.Tests.Common;

/// <summary>One run of the built executable (<c>dotnet reconcile.dll</c>) in its own process.</summary>
public static class ExeRun
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "reconcile.dll");

    /// <summary>Whether the tests run as root, where permission bits stop nothing.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static CliRun Of(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(null, environment, args);

    /// <summary>
    /// Runs as the unprivileged user <c>nobody</c> through setpriv, so that permission bits really
    /// deny reads; only possible when the tests run as root.
    /// </summary>
    public static CliRun AsNobody(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], environment, args);

    private static CliRun Start(string[]? prefix, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var command = prefix is null ? "dotnet" : prefix[0];
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (prefix ?? []).Skip(1).Concat(prefix is null ? [] : ["dotnet"]).Concat([Dll]).Concat(args))
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
