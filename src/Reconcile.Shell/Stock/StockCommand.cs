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
        };
        mode.AcceptOnlyFromAmong("full", "partial");
        var maxRemove = new Option<int?>("--max-remove") { Description = "Refuse a plan that removes more than N batches." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print the plan; change nothing." };
        var check = new Option<bool>("--check") { Description = "Change nothing; exit 0 when there is nothing to do, 5 when changes are pending." };
        var format = Options.Format();
        var command = new Command("stock", "Make STATE agree with the batch snapshot FEED, moving order lines as needed.")
        {
            feed, state, mode, maxRemove, dryRun, check, format,
        };
        command.SetAction(parse => Run(
            stdout,
            stderr,
            parse.GetValue(feed)!,
            parse.GetValue(state)!,
            parse.GetValue(mode) == "partial" ? StockMode.Partial : StockMode.Full,
            parse.GetValue(maxRemove),
            parse.GetValue(dryRun) || parse.GetValue(check),
            parse.GetValue(check),
            parse.GetValue(format)));
        return command;
    }

    private static int Run(TextWriter stdout, TextWriter stderr, string feedPath, string stateDirectory, StockMode mode, int? maxRemove, bool dryRun, bool check, OutputFormat format)
    {
        if (maxRemove is < 0)
        {
            throw RunStoppedException.BadInput("--max-remove must not be negative");
        }
        var store = StockRun.Open(stateDirectory, dryRun);
        // Gather: every input is read once, before anything is decided or written.
        var feedFile = InputFile.Read(feedPath, feedPath);
        var feedRead = StockCsv.Batches(feedFile);
        var loaded = store.Load();
        string[] order = [feedFile.Name, loaded.Batches.Table.File, loaded.Allocations.Table.File, loaded.Backorders.Table.File];
        var fileErrors = StockRun.FileErrors(feedRead.FileErrors, loaded.Batches.FileErrors, loaded.Allocations.FileErrors, loaded.Backorders.FileErrors);
        if (fileErrors.IsSome)
        {
            return StockRun.BadInput(stderr, fileErrors.IfNone([]), order);
        }
        var rowErrors = feedRead.RowErrors.Concat(loaded.Batches.RowErrors).Concat(loaded.Allocations.RowErrors).Concat(loaded.Backorders.RowErrors).ToList();

        // Decide.
        var validated = StockValidator.ValidateStock(feedRead.Table, loaded.Raw);
        var errors = rowErrors.Concat(validated.Match(_ => [], failures => failures)).ToList();
        if (errors.Count > 0)
        {
            return StockRun.BadInput(stderr, errors, order);
        }
        var input = validated.Match(i => i, _ => throw new InvalidOperationException("validated above"));
        var plan = StockPlanner.Plan(input.Feed, input.State, mode);
        var refusal = StockGuard.Refusal(input.Feed, mode, maxRemove, plan);
        if (refusal.IsSome)
        {
            throw RunStoppedException.Refused(refusal.IfNone("") + "; nothing was changed");
        }

        // Execute.
        StockRun.Print(stdout, plan, format);
        if (!dryRun && !plan.IsEmpty)
        {
            var options = new List<(string, string)> { ("mode", mode == StockMode.Full ? "full" : "partial") };
            StockRun.Apply(store, loaded, () => StockExecutor.Apply(store, input.State, plan, "stock", [feedFile, .. loaded.Files], options, DateTimeOffset.UtcNow));
        }
        return check && !plan.IsEmpty ? ExitCodes.ChangesPending : ExitCodes.Done;
    }
}
