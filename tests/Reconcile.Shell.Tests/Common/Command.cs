using System.ComponentModel;
using System.Diagnostics;

namespace Reconcile.Shell.Tests.Common;

/// <summary>A system command the tests run beside the program (mkfifo, chown, stat, rsync, mount).</summary>
public static class Command
{
    /// <summary>Runs it to the end; exit -1 when the command does not exist.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }
        catch (Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }

    /// <summary>Runs it and fails the test unless it succeeds; returns the very bytes it printed (names that are not UTF-8 included).</summary>
    public static byte[] MustRunForBytes(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr.Result}");
        return stdout.ToArray();
    }

    /// <summary>Runs it and fails the test unless it succeeds; returns what it printed.</summary>
    public static string MustRun(string command, params string[] args)
    {
        var (exitCode, stdout, stderr) = Run(command, args);
        Assert.True(exitCode == 0, $"{command} {string.Join(' ', args)}: exit {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>Whether the command is installed (it answers <c>--version</c>).</summary>
    public static bool Exists(string command) => Run(command, "--version").ExitCode == 0;
}
