using System.CommandLine;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile allocate ORDERS STATE</c>: places new order lines by the book's rule.</summary>
public static class AllocateCommand
{
    /// <summary>What the command does, and examples; shown after the options by <c>reconcile allocate --help</c>.</summary>
    public const string Examples = """
        Allocate the new order lines of ORDERS (orderid,sku,qty) in STATE by the same rule as stock:
        in stock first, then the earliest eta. A line that fits nowhere becomes a backorder; a line
        already allocated or backordered is left alone, so a file can be submitted twice.

        Examples:
          reconcile allocate -n orders.csv state/                  show the plan, change nothing
          reconcile allocate orders.csv state/
        """;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider clock)
    {
        var orders = Options.Path("ORDERS", "New order lines (orderid,sku,qty).");
        var state = Options.Path("STATE", "The store: a directory with batches.csv, allocations.csv, unallocated.csv; an SQLite file (sqlite:PATH, PATH.db); or postgres://USER@HOST/DATABASE?schema=NAME.");
        var run = new StockRunOptions(clock);
        var command = new Command("allocate", "Allocate new order lines in STATE; a line that fits nowhere becomes a backorder.")
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
