using System.CommandLine;
using Reconcile.Core.Stock;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile allocate ORDERS STATE</c>: places new order lines by the book's rule.</summary>
public static class AllocateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var orders = new Argument<string>("ORDERS") { Description = "New order lines (orderid,sku,qty)." };
        var state = new Argument<string>("STATE") { Description = "The store: a directory with batches.csv, allocations.csv, unallocated.csv." };
        var run = new StockRunOptions();
        var command = new Command("allocate", "Allocate the new order lines of ORDERS in STATE; a line that fits nowhere becomes a backorder.")
        {
            orders, state,
        };
        run.AddTo(command);
        command.SetAction(parse => run.Run(
            parse,
            new StockRequest(StockJobKind.Allocate, parse.GetValue(orders)!, parse.GetValue(state)!, StockMode.Full, MaxRemove: null),
            stdout,
            stderr));
        return command;
    }
}
