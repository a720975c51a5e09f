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

/// <summary>
/// The inputs of a stock run, each read once and validated: the files (their fingerprints and extra
/// columns) and the snapshot they make. The rows as text are not kept once they are validated.
/// </summary>
internal sealed record GatheredStock(StockRequest Request, StateStore Store, InputFile Input, LoadedState Loaded, StockState State)
{
    public IReadOnlyList<InputFile> Files => [Input, .. Loaded.Files];

    /// <summary>The feed and the state, as the validator made them (<c>stock</c>).</summary>
    public StockInput? Stock { get; init; }

    /// <summary>The new order lines (<c>allocate</c>).</summary>
    public Seq<OrderLine> Orders { get; init; }
}

/// <summary>A validated state and the plan for it.</summary>
internal sealed record DecidedStock(StockState State, Seq<StockAction> Plan);

/// <summary>
/// The gather, decide and execute steps that <c>stock</c>, <c>allocate</c> and <c>apply</c> share, so that
/// a saved plan is checked and carried out by exactly the code that made it.
/// </summary>
internal static class StockJob
{
    /// <summary>
    /// Reads the input file and the state files (computing their SHA-256 only when
    /// <paramref name="fingerprint"/> asks: for a journal or a saved plan), then validates them. A file that
    /// cannot be checked row by row (missing, a missing column) is reported alone; otherwise every bad row
    /// of every file is reported. Either way exit 2. <paramref name="beforeValidating"/> sees the files as
    /// read (a saved plan checks their fingerprints first). The rows are dropped when this returns.
    /// </summary>
    public static Either<int, GatheredStock> Gather(
        StockRequest request,
        bool dryRun,
        bool fingerprint,
        TextWriter stderr,
        Action<InputFile, IReadOnlyList<InputFile>>? beforeValidating = null)
    {
        var store = StockRun.Open(request.StateDirectory, dryRun);
        if (request.Kind == StockJobKind.Stock)
        {
            var (feed, state) = ReadBoth(() => StockCsv.Batches(request.InputPath, request.InputPath, fingerprint), () => store.Load(fingerprint));
            StageClock.Mark("stock: read the files");
            var (input, loaded) = (feed.File, state.Loaded);
            beforeValidating?.Invoke(input, loaded.Files);
            return Validate(feed, state, StockValidator.ValidateStock, stderr).Map(valid =>
            {
                StageClock.Mark("stock: validated");
                return new GatheredStock(request, store, input, loaded, valid.State) { Stock = valid };
            });
        }
        var (orders, read) = ReadBoth(() => StockCsv.OrderLines(request.InputPath, request.InputPath, fingerprint), () => store.Load(fingerprint));
        StageClock.Mark("stock: read the files");
        var (ordersFile, stateFiles) = (orders.File, read.Loaded);
        beforeValidating?.Invoke(ordersFile, stateFiles.Files);
        return Validate(orders, read, StockValidator.ValidateAllocate, stderr)
            .Map(valid => new GatheredStock(request, store, ordersFile, stateFiles, valid.State) { Orders = valid.Orders });
    }

    /// <summary>
    /// Reads the input file and the state files, on two cores when there are: the files are independent,
    /// and parsing millions of rows is most of a run's time.
    /// </summary>
    private static (CsvRead<TRow> Input, ReadState State) ReadBoth<TRow>(Func<CsvRead<TRow>> input, Func<ReadState> state)
    {
        if (Environment.ProcessorCount < 2)
        {
            var first = input();
            return (first, state());
        }
        var reading = OwnThread<CsvRead<TRow>>.Start(input);
        ReadState read;
        try
        {
            read = state();
        }
        catch
        {
            // As when read one after the other: a failure to read the input file is the one reported.
            reading.Join();
            throw;
        }
        return (reading.Join(), read);
    }

    /// <summary>Plans. A guard throws (exit 3).</summary>
    public static DecidedStock Decide(GatheredStock gathered)
    {
        var request = gathered.Request;
        if (request.Kind == StockJobKind.Stock)
        {
            var stock = gathered.Stock!;
            var plan = StockPlanner.Plan(stock, request.Mode);
            StageClock.Mark("stock: planned");
            var refusal = StockGuard.Refusal(stock.Feed, request.Mode, request.MaxRemove, plan);
            if (refusal.IsSome)
            {
                throw RunStoppedException.Refused(refusal.IfNone("") + "; nothing was changed");
            }
            return new DecidedStock(gathered.State, plan);
        }
        return new DecidedStock(gathered.State, StockPlanner.PlanAllocation(gathered.Orders, gathered.State));
    }

    private static Either<int, TValid> Validate<TRow, TValid>(
        CsvRead<TRow> input,
        ReadState state,
        Func<RawTable<TRow>, RawState, Validation<StockError, TValid>> validate,
        TextWriter stderr)
    {
        string[] order = [input.File.Name, state.Batches.Table.File, state.Allocations.Table.File, state.Backorders.Table.File];
        var fileErrors = StockRun.FileErrors(input.FileErrors, state.Batches.FileErrors, state.Allocations.FileErrors, state.Backorders.FileErrors);
        if (fileErrors.IsSome)
        {
            return StockRun.BadInput(stderr, fileErrors.IfNone([]), order);
        }
        var validated = validate(input.Table, state.Raw);
        var errors = input.RowErrors
            .Concat(state.Batches.RowErrors).Concat(state.Allocations.RowErrors).Concat(state.Backorders.RowErrors)
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
            StockExecutor.Prepare(gathered.Store, decided.State, decided.Plan, request.Command, gathered.Files, options, DateTimeOffset.UtcNow, gathered.Loaded));
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
        // Only a journal (a real run) or a saved plan records the inputs' fingerprints.
        return Gather(request, dryRun, fingerprint: !dryRun || planOut is not null, stderr).Match(
            Left: code => code,
            Right: gathered =>
            {
                var decided = Decide(gathered);
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
        var gathered = Gather(saved.Request, dryRun: false, fingerprint: true, stderr, (input, stateFiles) =>
        {
            var now = SavedStockPlan.FingerprintsOf(input, stateFiles);
            var stale = now
                .Where(p => !saved.Fingerprints.TryGetValue(p.Key, out var then) || !string.Equals(then, p.Value, StringComparison.Ordinal))
                .Select(p => p.Key == SavedStockPlan.InputKey ? input.Name : p.Key)
                .ToList();
            if (stale.Count > 0)
            {
                throw RunStoppedException.Refused($"stale plan: {string.Join(", ", stale)} changed since the plan was made; nothing was changed, plan again");
            }
        });
        return gathered.Match(
            Left: code => code,
            Right: gathered =>
            {
                var decided = Decide(gathered);
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
