using System.CommandLine;
using System.IO.Abstractions;
using System.Text.Json;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Stock;

namespace Reconcile.Shell;

/// <summary>
/// <c>reconcile apply PLAN</c>: carries out a plan saved with <c>--dry-run --plan-out</c>, if its inputs
/// have not changed since (else exit 3, "stale plan"). A plan file that is not well formed, or holds a
/// path that could leave its root, is bad input (exit 2), found before anything is gathered or locked.
/// </summary>
public static class ApplyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var planFile = new Argument<string>("PLAN") { Description = "A plan saved with --dry-run --plan-out." };
        var format = Options.Format();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors." };
        var command = new Command("apply", "Carry out a saved plan, if its inputs still match its fingerprints.")
        {
            planFile, format, quiet,
        };
        command.SetAction(parse => Run(
            stdout,
            stderr,
            parse.GetValue(planFile)!,
            parse.GetValue(format) == OutputFormat.Json,
            parse.GetValue(quiet)));
        return command;
    }

    private static int Run(TextWriter stdout, TextWriter stderr, string planPath, bool json, bool quiet)
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
                SavedFilePlan.Kind => new FilesRun(new FileSystem(), stdout, stderr).Apply(FilePlanReader.ReadSavedPlan(text), json, quiet),
                SavedStockPlan.StockKind or SavedStockPlan.AllocateKind => ApplyStock(text, json, quiet, stdout, stderr),
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

    private static int ApplyStock(string text, bool json, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        using var document = FilePlanReader.Parse(text);
        var saved = SavedStockPlan.Read(document.RootElement);
        return StockJob.Apply(saved, json ? OutputFormat.Json : OutputFormat.Text, quiet, stdout, stderr);
    }
}
