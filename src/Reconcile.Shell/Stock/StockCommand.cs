using System.CommandLine;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile stock FEED STATE</c>: makes the store agree with a warehouse batch snapshot.</summary>
public static class StockCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var feed = new Argument<string>("FEED") { Description = "The warehouse batch snapshot (ref,sku,qty,eta)." };
        var state = new Argument<string>("STATE") { Description = "The store: a directory with batches.csv, allocations.csv, unallocated.csv." };
        var mode = new Option<string>("--mode")
        {
            Description = "full: FEED is the whole truth and absent batches are removed; partial: absent batches are left alone.",
            DefaultValueFactory = _ => "full",
            HelpName = "full|partial",
        };
        mode.AcceptOnlyFromAmong("full", "partial");
        var maxRemove = new Option<int?>("--max-remove") { Description = "Refuse (exit 3) a plan that removes more than N batches.", HelpName = "N" };
        var run = new StockRunOptions();
        var command = new Command("stock", "Make STATE agree with the batch snapshot FEED, moving order lines as needed.")
        {
            feed, state, mode, maxRemove,
        };
        run.AddTo(command);
        command.SetAction(parse => run.Run(
            parse,
            new StockRequest(
                StockJobKind.Stock,
                parse.GetValue(feed)!,
                parse.GetValue(state)!,
                parse.GetValue(mode) == "partial" ? StockMode.Partial : StockMode.Full,
                parse.GetValue(maxRemove)),
            stdout,
            stderr));
        return command;
    }
}

/// <summary>The options <c>stock</c> and <c>allocate</c> share: how to run, and what to print.</summary>
internal sealed class StockRunOptions
{
    private readonly Option<bool> dryRun = new("--dry-run", "-n") { Description = "Print the plan; change nothing." };
    private readonly Option<bool> check = new("--check") { Description = "Change nothing; exit 0 when there is nothing to do, 5 when changes are pending." };
    private readonly Option<string?> planOut = new("--plan-out") { Description = "With --dry-run: save the plan to FILE, to carry it out later with 'reconcile apply FILE'.", HelpName = "FILE" };
    private readonly Option<OutputFormat> format = Options.Format();
    private readonly Option<bool> quiet = new("--quiet", "-q") { Description = "Print nothing but errors." };

    public void AddTo(Command command)
    {
        command.Options.Add(dryRun);
        command.Options.Add(check);
        command.Options.Add(planOut);
        command.Options.Add(format);
        command.Options.Add(quiet);
    }

    public int Run(ParseResult parse, StockRequest request, TextWriter stdout, TextWriter stderr) =>
        StockJob.Run(
            request,
            dryRun: parse.GetValue(dryRun) || parse.GetValue(check),
            check: parse.GetValue(check),
            planOut: parse.GetValue(planOut),
            format: parse.GetValue(format),
            stdout: parse.GetValue(quiet) ? TextWriter.Null : stdout,
            stderr: stderr);
}
