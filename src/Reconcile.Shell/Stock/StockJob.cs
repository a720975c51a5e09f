using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>Which stock job: reconcile a feed, or allocate new order lines.</summary>
internal enum StockJobKind
{
    Stock,
    Allocate,
}

/// <summary>Everything a stock run is asked to do, as it is recorded in a saved plan.</summary>
internal sealed record StockRequest(StockJobKind Kind, string InputPath, string StateDirectory, StockMode Mode, int? MaxRemove)
{
    public string Command => Kind == StockJobKind.Stock ? "stock" : "allocate";
}

/// <summary>The inputs of a stock run, each read once.</summary>
internal sealed record GatheredStock(StockRequest Request, StateStore Store, InputFile Input, LoadedState Loaded)
{
    public IReadOnlyList<InputFile> Files => [Input, .. Loaded.Files];
}

/// <summary>A validated state and the plan for it.</summary>
internal sealed record DecidedStock(StockState State, Seq<StockAction> Plan);

/// <summary>
/// The gather, decide and execute steps that <c>stock</c>, <c>allocate</c> and <c>apply</c> share, so that
/// a saved plan is checked and carried out by exactly the code that made it.
/// </summary>
internal static class StockJob
{
    public static GatheredStock Gather(StockRequest request, bool dryRun)
    {
        var store = StockRun.Open(request.StateDirectory, dryRun);
        var input = InputFile.Read(request.InputPath, request.InputPath);
        var loaded = store.Load();
        StageClock.Mark("stock: read the files");
        return new GatheredStock(request, store, input, loaded);
    }

    /// <summary>Validates and plans. Bad input is printed (every bad row) and gives exit 2; a guard throws (exit 3).</summary>
    public static Either<int, DecidedStock> Decide(GatheredStock gathered, TextWriter stderr)
    {
        var request = gathered.Request;
        if (request.Kind == StockJobKind.Stock)
        {
            return Validate(gathered, StockCsv.Batches(gathered.Input), StockValidator.ValidateStock, stderr).Map(valid =>
            {
                StageClock.Mark("stock: validated");
                var plan = StockPlanner.Plan(valid.Feed, valid.State, request.Mode);
                StageClock.Mark("stock: planned");
                var refusal = StockGuard.Refusal(valid.Feed, request.Mode, request.MaxRemove, plan);
                if (refusal.IsSome)
                {
                    throw RunStoppedException.Refused(refusal.IfNone("") + "; nothing was changed");
                }
                return new DecidedStock(valid.State, plan);
            });
        }
        return Validate(gathered, StockCsv.OrderLines(gathered.Input), StockValidator.ValidateAllocate, stderr)
            .Map(valid => new DecidedStock(valid.State, StockPlanner.PlanAllocation(valid.Orders, valid.State)));
    }

    /// <summary>
    /// The input file (FEED or ORDERS) and the state files, validated together: a file that cannot be
    /// checked row by row (missing, a missing column) is reported alone; otherwise every bad row of every
    /// file is reported. Either way exit 2.
    /// </summary>
    private static Either<int, TValid> Validate<TRow, TValid>(
        GatheredStock gathered,
        CsvRead<TRow> input,
        Func<RawTable<TRow>, RawState, Validation<StockError, TValid>> validate,
        TextWriter stderr)
    {
        var loaded = gathered.Loaded;
        string[] order = [gathered.Input.Name, loaded.Batches.Table.File, loaded.Allocations.Table.File, loaded.Backorders.Table.File];
        var fileErrors = StockRun.FileErrors(input.FileErrors, loaded.Batches.FileErrors, loaded.Allocations.FileErrors, loaded.Backorders.FileErrors);
        if (fileErrors.IsSome)
        {
            return StockRun.BadInput(stderr, fileErrors.IfNone([]), order);
        }
        var validated = validate(input.Table, loaded.Raw);
        var errors = input.RowErrors
            .Concat(loaded.Batches.RowErrors).Concat(loaded.Allocations.RowErrors).Concat(loaded.Backorders.RowErrors)
            .Concat(validated.Match(_ => [], failures => failures))
            .ToList();
        if (errors.Count > 0)
        {
            return StockRun.BadInput(stderr, errors, order);
        }
        return validated.Match(valid => valid, _ => throw new InvalidOperationException("validated above"));
    }

    /// <summary>Commits the plan under the lock, with its journal line. An empty plan writes nothing.</summary>
    public static void Execute(GatheredStock gathered, DecidedStock decided)
    {
        if (decided.Plan.IsEmpty)
        {
            return;
        }
        var request = gathered.Request;
        IReadOnlyList<(string, string)> options = request.Kind == StockJobKind.Stock
            ? [("mode", request.Mode == StockMode.Full ? "full" : "partial")]
            : [];
        StockRun.Apply(gathered.Store, gathered.Loaded, () =>
            StockExecutor.Apply(gathered.Store, decided.State, decided.Plan, request.Command, gathered.Files, options, DateTimeOffset.UtcNow, gathered.Loaded));
    }

    /// <summary>The whole run of <c>stock</c> or <c>allocate</c> from the command line.</summary>
    public static int Run(StockRequest request, bool dryRun, bool check, string? planOut, OutputFormat format, TextWriter stdout, TextWriter stderr)
    {
        if (request.MaxRemove is < 0)
        {
            throw RunStoppedException.BadInput("--max-remove must not be negative");
        }
        if (planOut is not null && !dryRun)
        {
            throw RunStoppedException.BadInput("--plan-out saves a plan to apply later: use it with --dry-run or --check");
        }
        var gathered = Gather(request, dryRun);
        return Decide(gathered, stderr).Match(
            Left: code => code,
            Right: decided =>
            {
                StockRun.Print(stdout, decided.Plan, format);
                StageClock.Mark("stock: printed");
                if (planOut is not null)
                {
                    SavedStockPlan.Save(planOut, SavedStockPlan.Of(gathered, decided.Plan));
                }
                if (!dryRun)
                {
                    Execute(gathered, decided);
                }
                return check && !decided.Plan.IsEmpty ? ExitCodes.ChangesPending : ExitCodes.Done;
            });
    }

    /// <summary>
    /// Carries out a saved plan: its inputs must still have the fingerprints it recorded (else exit 3,
    /// "stale plan"), and planning them again must give exactly the saved actions (else the plan was
    /// edited: exit 2). Then the saved actions are committed as a real run would commit them.
    /// </summary>
    public static int Apply(SavedStockPlan saved, OutputFormat format, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        var gathered = Gather(saved.Request, dryRun: false);
        var now = SavedStockPlan.FingerprintsOf(gathered);
        var stale = now
            .Where(p => !saved.Fingerprints.TryGetValue(p.Key, out var then) || !string.Equals(then, p.Value, StringComparison.Ordinal))
            .Select(p => p.Key == SavedStockPlan.InputKey ? gathered.Input.Name : p.Key)
            .ToList();
        if (stale.Count > 0)
        {
            throw RunStoppedException.Refused($"stale plan: {string.Join(", ", stale)} changed since the plan was made; nothing was changed, plan again");
        }
        return Decide(gathered, stderr).Match(
            Left: code => code,
            Right: decided =>
            {
                if (!decided.Plan.SequenceEqual(saved.Actions))
                {
                    throw RunStoppedException.BadInput("the plan's actions are not what its inputs give (was it edited?); nothing was changed");
                }
                if (!quiet)
                {
                    StockRun.Print(stdout, decided.Plan, format);
                }
                Execute(gathered, decided);
                return ExitCodes.Done;
            });
    }
}
