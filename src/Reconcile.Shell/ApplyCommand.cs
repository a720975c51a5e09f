using System.CommandLine;
using System.IO.Abstractions;
using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Files.Remote;
using Reconcile.Shell.Stock;

namespace Reconcile.Shell;

/// <summary>
/// <c>reconcile apply PLAN</c>: carries out a plan saved with <c>--dry-run --plan-out</c>, if its inputs
/// have not changed since (else exit 3, "stale plan"). A plan file that is not well formed, or holds a
/// path that could leave its root, is bad input (exit 2), found before anything is gathered or locked.
/// </summary>
public static class ApplyCommand
{
    /// <summary>What the command does, and examples; shown after the options by <c>reconcile apply --help</c>.</summary>
    public const string Examples = """
        Carry out a plan saved with --dry-run --plan-out FILE (by files, stock or allocate), exactly as
        it was reviewed. Refused (exit 3, "stale plan") when its inputs changed since it was made; a
        plan with a path that could leave its root is rejected (exit 2) before anything runs.

        Examples:
          reconcile files -n --plan-out plan.json ~/photos /mnt/backup/photos
          reconcile apply plan.json
        """;

    public static Command Create(TextWriter stdout, TextWriter stderr, Terminal? terminal = null, TimeProvider? clock = null)
    {
        var planFile = Options.Path("PLAN", "A plan saved with --dry-run --plan-out.");
        var format = Options.Format();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors." };
        var sshKey = SshOptions.KeyOption();
        var acceptNew = SshOptions.AcceptNewOption();
        var command = new Command("apply", "Carry out a saved plan, unless its inputs changed since it was made.")
        {
            planFile, format, quiet, sshKey, acceptNew,
        };
        command.SetAction(parse => Run(
            stdout,
            stderr,
            terminal,
            clock ?? TimeProvider.System,
            parse.GetValue(planFile)!,
            Options.FormatOf(parse, format) == OutputFormat.Json,
            parse.GetValue(quiet),
            SshOptions.Of(parse, sshKey, acceptNew)));
        return command;
    }

    private static int Run(TextWriter stdout, TextWriter stderr, Terminal? terminal, TimeProvider clock, string planPath, bool json, bool quiet, SshOptions ssh)
    {
        string text;
        try
        {
            text = File.ReadAllText(planPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RunStoppedException.BadInput($"{planPath}: cannot read the plan: {e.Message}");
        }
        try
        {
            string kind;
            using (var document = FilePlanReader.Parse(text))
            {
                kind = PlanFile.Kind(document.RootElement);
            }
            return kind switch
            {
                SavedFilePlan.Kind => new FilesRun(LocalAccess.OfThisMachine(), stdout, stderr, terminal, ssh).Apply(FilePlanReader.ReadSavedPlan(text), json, quiet),
                SavedStockPlan.StockKind or SavedStockPlan.AllocateKind => ApplyStock(text, json, quiet, stdout, clock),
                _ => throw new PlanFormatException($"unknown plan kind \"{kind}\""),
            };
        }
        catch (PlanFormatException e)
        {
            throw RunStoppedException.BadInput($"{planPath}: invalid plan: {e.Message}; nothing was changed");
        }
        catch (JsonException e)
        {
            throw RunStoppedException.BadInput($"{planPath}: invalid plan: {e.Message}; nothing was changed");
        }
    }

    private static int ApplyStock(string text, bool json, bool quiet, TextWriter stdout, TimeProvider clock)
    {
        SavedStockPlan saved;
        using (var document = FilePlanReader.Parse(text))
        {
            saved = SavedStockPlan.Read(document.RootElement);
        }
        return StockJob.Open(saved.Request, clock).Apply(saved, json ? OutputFormat.Json : OutputFormat.Text, quiet, stdout);
    }
}
