using System.CommandLine;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary><c>reconcile stock FEED STATE</c>: makes the store agree with a warehouse batch snapshot.</summary>
public static class StockCommand
{
    /// <summary>What the command does, and examples; shown after the options by <c>reconcile stock --help</c>.</summary>
    public const string Examples = """
        Make the stock store STATE agree with the warehouse batch snapshot FEED: create, change and
        remove batches, move order lines off batches that shrank or vanished, reallocate them (in stock
        first, then the earliest eta), and keep what fits nowhere as backorders. No line is ever lost.

        Examples:
          reconcile stock -n feed.csv state/                       show the plan, change nothing
          reconcile stock --max-remove 50 feed.csv state/          apply, refusing mass removals
          reconcile stock --mode partial delta.csv state/          FEED only holds some batches
          reconcile stock --check -q feed.csv state/               exit 5 when changes are pending
        """;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider clock)
    {
        var feed = Options.Path("FEED", "The warehouse batch snapshot (ref,sku,qty,eta).");
        var state = Options.Path("STATE", "The store: a directory with batches.csv, allocations.csv, unallocated.csv; an SQLite file (sqlite:PATH, PATH.db); or postgres://USER@HOST/DATABASE?schema=NAME.");
        var mode = new Option<string>("--mode")
        {
            Description = "full: FEED is the whole truth and absent batches are removed; partial: absent batches are left alone.",
            DefaultValueFactory = _ => "full",
            HelpName = "full|partial",
        };
        mode.AcceptOnlyFromAmong("full", "partial");
        var maxRemove = Options.Count("--max-remove", "Refuse (exit 3) a plan that removes more than N batches.");
        var run = new StockRunOptions(clock);
        var command = new Command("stock", "Make the stock store STATE agree with the batch snapshot FEED, reallocating order lines.")
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
internal sealed class StockRunOptions(TimeProvider clock)
{
    private readonly Option<bool> dryRun = new("--dry-run", "-n") { Description = "Print the plan; change nothing." };
    private readonly Option<bool> check = new("--check") { Description = "Change nothing; exit 0 when there is nothing to do, 5 when changes are pending." };
    private readonly Option<string?> planOut = Options.PathOption("--plan-out", "With --dry-run: save the plan to FILE, to carry it out later with 'reconcile apply FILE'.", "FILE");
    private readonly Option<string> format = Options.Format();
    private readonly Option<bool> quiet = new("--quiet", "-q") { Description = "Print nothing but errors." };
    private readonly Option<int?> wait = Options.Count("--wait", "When another run holds the store's lock, wait up to SECONDS for it (else exit 4 at once).", "SECONDS");

    public void AddTo(Command command)
    {
        command.Options.Add(dryRun);
        command.Options.Add(check);
        command.Options.Add(planOut);
        command.Options.Add(format);
        command.Options.Add(quiet);
        command.Options.Add(wait);
    }

    public int Run(ParseResult parse, StockRequest request, TextWriter stdout, TextWriter stderr)
    {
        var waitSeconds = parse.GetValue(wait);
        var isDryRun = parse.GetValue(dryRun) || parse.GetValue(check);
        var saveTo = parse.GetValue(planOut);
        if (saveTo is not null && !isDryRun)
        {
            throw RunStoppedException.BadInput("--plan-out saves a plan to apply later: use it with --dry-run or --check");
        }
        var job = StockJob.Open(request, clock);
        job.LockWait = TimeSpan.FromSeconds(waitSeconds ?? 0);
        job.Notices = stderr;
        return job.Run(
            isDryRun,
            parse.GetValue(check),
            saveTo,
            Options.FormatOf(parse, format),
            parse.GetValue(quiet) ? TextWriter.Null : stdout);
    }
}
