using System.CommandLine;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;

namespace Reconcile.Shell;

/// <summary>The command line: one root command with a sub-command per job.</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("reconcile: make a target agree with a source of truth, safely.")
        {
            FilesCommand.Create(stdout, stderr),
            Stock.StockCommand.Create(stdout, stderr), Stock.AllocateCommand.Create(stdout, stderr),
            ApplyCommand.Create(stdout, stderr),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine($"reconcile: {error.Message}");
            }
            stderr.WriteLine("Run 'reconcile --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (RunStoppedException stopped)
        {
            stderr.WriteLine($"reconcile: {stopped.Message}");
            return stopped.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Whatever the filesystem throws outside an executor's own per-action handling: one line, no
            // stack trace; 1 because the run may have done part of its work before it stopped.
            stderr.WriteLine($"reconcile: {e.Message}");
            return ExitCodes.SomeActionsFailed;
        }
    }
}
