using System.CommandLine;
using System.CommandLine.Parsing;
using Reconcile.Core.Common;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;

namespace Reconcile.Shell;

/// <summary>The command line: one root command with a sub-command per job.</summary>
public static class Cli
{
    /// <summary>The sub-commands, in the order help lists them.</summary>
    internal static readonly string[] CommandNames = ["files", "stock", "allocate", "apply", "store"];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, Terminal.None);

    /// <summary>Runs the command line; <paramref name="clock"/> gives the time a journal records (the system's by default).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Terminal terminal, TimeProvider? clock = null)
    {
        var time = clock ?? TimeProvider.System;
        var root = new RootCommand("""
            reconcile: make a target agree with a source of truth, show exactly what will be done before
            doing it, and never lose data on the way. Every command can be a dry run (-n), a saved plan
            (-n --plan-out FILE, then 'reconcile apply FILE') or a real run.

            Exit codes: 0 done or nothing to do, 1 some actions failed, 2 bad usage or input (nothing
            changed), 3 refused by a safety guard (nothing changed), 4 another run holds the lock,
            5 changes pending (--check).

            Run 'reconcile COMMAND --help' for a command's options and examples.
            """);
        // Only the command that runs is built (when the first argument names one): building every
        // command's options is a noticeable part of a short run's start-up.
        Command Create(string name) => name switch
        {
            "files" => FilesCommand.Create(stdout, stderr, terminal),
            "stock" => Stock.StockCommand.Create(stdout, stderr, time),
            "allocate" => Stock.AllocateCommand.Create(stdout, stderr, time),
            "store" => Stock.StoreCommand.Create(stdout, time),
            _ => ApplyCommand.Create(stdout, stderr, terminal, time),
        };
        var named = args.Length > 0 && CommandNames.Contains(args[0]);
        foreach (var name in CommandNames)
        {
            if (!named || name == args[0])
            {
                root.Subcommands.Add(Create(name));
            }
        }
        HelpWithExamples.Attach(root, stdout, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["files"] = FilesCommand.Examples,
            ["stock"] = Stock.StockCommand.Examples,
            ["allocate"] = Stock.AllocateCommand.Examples,
            ["apply"] = ApplyCommand.Examples,
            ["store"] = Stock.StoreCommand.Examples,
        });
        var parsed = root.Parse(args);
        StageClock.Mark("parsed the command line");
        // Asking for help or the version is never a usage error, even with arguments missing.
        var version = root.Options.OfType<VersionOption>().Single().Action;
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpWithExamples && parsed.Action != version)
        {
            foreach (var line in UsageErrors(parsed))
            {
                stderr.WriteLine($"reconcile: {TerminalText.Line(line)}");
            }
            var command = parsed.CommandResult.Command;
            stderr.WriteLine(command is RootCommand ? "Run 'reconcile --help' for usage." : $"Run 'reconcile {FullName(parsed.CommandResult)} --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (RunStoppedException stopped)
        {
            foreach (var detail in stopped.Problem.Details)
            {
                stderr.WriteLine(TerminalText.Line(detail));
            }
            stderr.WriteLine($"reconcile: {TerminalText.Line(stopped.Problem.Message)}");
            return ExitCodeOf(stopped.Problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Whatever the filesystem throws outside an executor's own per-action handling: one line, no
            // stack trace; 1 because the run may have done part of its work before it stopped.
            stderr.WriteLine($"reconcile: {TerminalText.Line(e.Message)}");
            return ExitCodes.SomeActionsFailed;
        }
    }

    /// <summary>
    /// What is wrong with the command line, one line each and each once: the parser reports a missing
    /// argument once per missing argument, without naming it, so those become one line that names them.
    /// </summary>
    internal static IEnumerable<string> UsageErrors(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var missing = command.Arguments.Where(a => parsed.GetResult(a) is not { Tokens.Count: > 0 }).Select(a => a.Name).ToList();
        var lines = new List<string>();
        if (missing.Count > 0 && command is not RootCommand)
        {
            lines.Add($"{FullName(parsed.CommandResult)}: missing {string.Join(" and ", missing)}");
        }
        foreach (var error in parsed.Errors)
        {
            var missingArgument = missing.Count > 0 && command is not RootCommand
                && error.Message.StartsWith("Required argument missing for command", StringComparison.Ordinal);
            if (!missingArgument && !lines.Contains(error.Message, StringComparer.Ordinal))
            {
                lines.Add(error.Message);
            }
        }
        return lines;
    }

    /// <summary>A sub-command's name as typed after <c>reconcile</c>: <c>files</c>, <c>store init</c>.</summary>
    private static string FullName(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult { Command: not RootCommand } result; at = at.Parent)
        {
            names.Insert(0, result.Command.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>The one place where a problem that stopped a run becomes its exit code.</summary>
    internal static int ExitCodeOf(Problem problem) => problem.Kind switch
    {
        ProblemKind.BadInput => ExitCodes.BadInput,
        ProblemKind.Refused => ExitCodes.Refused,
        _ => ExitCodes.Locked,
    };
}
