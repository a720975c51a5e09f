using System.CommandLine;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile allocate ORDERS STATE</c>: allocates new order lines by the book's rule.</summary>
public static class AllocateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var orders = new Argument<string>("ORDERS") { Description = "New order lines (orderid,sku,qty)." };
        var state = new Argument<string>("STATE") { Description = "The store: a directory with batches.csv, allocations.csv, unallocated.csv." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print the plan; change nothing." };
        var check = new Option<bool>("--check") { Description = "Change nothing; exit 0 when there is nothing to do, 5 when changes are pending." };
        var format = Options.Format();
        var command = new Command("allocate", "Allocate the new order lines of ORDERS in STATE; a line that fits nowhere becomes a backorder.")
        {
            orders, state, dryRun, check, format,
        };
        command.SetAction(parse => Run(
            stdout,
            stderr,
            parse.GetValue(orders)!,
            parse.GetValue(state)!,
            parse.GetValue(dryRun) || parse.GetValue(check),
            parse.GetValue(check),
            parse.GetValue(format)));
        return command;
    }

    private static int Run(TextWriter stdout, TextWriter stderr, string ordersPath, string stateDirectory, bool dryRun, bool check, OutputFormat format)
    {
        var store = StockRun.Open(stateDirectory, dryRun);
        var ordersFile = InputFile.Read(ordersPath, ordersPath);
        var ordersRead = StockCsv.OrderLines(ordersFile);
        var loaded = store.Load();
        string[] order = [ordersFile.Name, loaded.Batches.Table.File, loaded.Allocations.Table.File, loaded.Backorders.Table.File];
        var fileErrors = StockRun.FileErrors(ordersRead.FileErrors, loaded.Batches.FileErrors, loaded.Allocations.FileErrors, loaded.Backorders.FileErrors);
        if (fileErrors.IsSome)
        {
            return StockRun.BadInput(stderr, fileErrors.IfNone([]), order);
        }
        var rowErrors = ordersRead.RowErrors.Concat(loaded.Batches.RowErrors).Concat(loaded.Allocations.RowErrors).Concat(loaded.Backorders.RowErrors).ToList();
        var validated = StockValidator.ValidateAllocate(ordersRead.Table, loaded.Raw);
        var errors = rowErrors.Concat(validated.Match(_ => [], failures => failures)).ToList();
        if (errors.Count > 0)
        {
            return StockRun.BadInput(stderr, errors, order);
        }
        var input = validated.Match(i => i, _ => throw new InvalidOperationException("validated above"));
        var plan = StockPlanner.PlanAllocation(input.Orders, input.State);
        StockRun.Print(stdout, plan, format);
        if (!dryRun && !plan.IsEmpty)
        {
            StockRun.Apply(store, loaded, () => StockExecutor.Apply(store, input.State, plan, "allocate", [ordersFile, .. loaded.Files], [], DateTimeOffset.UtcNow));
        }
        return check && !plan.IsEmpty ? ExitCodes.ChangesPending : ExitCodes.Done;
    }
}
