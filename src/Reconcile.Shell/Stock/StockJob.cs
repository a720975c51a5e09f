using System.Globalization;
using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;
using static LanguageExt.Prelude;

namespace Reconcile.Shell.Stock;

/// <summary>Which stock job: reconcile a feed, or allocate new order lines.</summary>
internal enum StockJobKind
{
    Stock,
    Allocate,
}

/// <summary>Everything a stock run is asked to do, as it is recorded in a saved plan. <c>Store</c>
/// names the stock store (a STATE directory).</summary>
internal sealed record StockRequest(StockJobKind Kind, string InputPath, string Store, StockMode Mode, int? MaxRemove)
{
    public string Command => Kind == StockJobKind.Stock ? "stock" : "allocate";

    /// <summary>The options the journal records with the command.</summary>
    public IReadOnlyList<(string Name, string Value)> JournalOptions =>
        Kind == StockJobKind.Stock ? [("mode", Mode == StockMode.Full ? "full" : "partial")] : [];
}

/// <summary>
/// The inputs of a stock run, each read once and validated: the FEED or ORDERS file (its fingerprint),
/// the store's version, and the snapshot they make. The rows as text are not kept once validated.
/// </summary>
internal sealed record GatheredStock(InputFile Input, StoreVersion? Version, StockState State)
{
    /// <summary>The feed and the state, as the validator made them (<c>stock</c>).</summary>
    public StockInput? Stock { get; init; }

    /// <summary>The new order lines (<c>allocate</c>).</summary>
    public Seq<OrderLine> Orders { get; init; }
}

/// <summary>
/// One run of <c>stock</c>, <c>allocate</c> or <c>apply</c> of a saved stock plan: gather (the input file
/// and the store's snapshot), decide (the core's planner and guards), execute (print, save, commit). A
/// saved plan is checked and carried out by exactly the code that made it.
/// </summary>
internal sealed class StockJob(StockRequest request, IStockStore store, TimeProvider clock)
{
    public static StockJob Open(StockRequest request, TimeProvider clock) => new(request, StockStores.Open(request.Store), clock);

    /// <summary>How long a run waits for another run's lock before it gives up (exit 4); none by default.</summary>
    public TimeSpan LockWait { get; set; }

    /// <summary>Where a run that waits for the lock says so, once.</summary>
    public TextWriter Notices { get; set; } = TextWriter.Null;

    /// <summary>The whole run of <c>stock</c> or <c>allocate</c> from the command line.</summary>
    public int Run(bool dryRun, bool check, string? planOut, OutputFormat format, TextWriter stdout)
    {
        if (!dryRun)
        {
            store.Recover();
        }
        // A run that may wait queues behind the run holding the lock before it reads, so that it plans
        // on the state that run leaves (else it would plan, wait, and find its plan stale).
        using var queued = !dryRun && LockWait > TimeSpan.Zero ? LockWithinWait() : null;
        // Only a journal (a real run) or a saved plan records the inputs' fingerprints.
        var gathered = OrStop(Gather(versioned: !dryRun || planOut is not null));
        var plan = OrStop(Decide(gathered));
        Print(stdout, plan, format);
        if (planOut is not null)
        {
            SavedStockPlan.Save(planOut, SavedStockPlan.Of(request, store, gathered, plan));
        }
        if (!dryRun)
        {
            Execute(gathered, plan, queued);
        }
        return check && !plan.IsEmpty ? ExitCodes.ChangesPending : ExitCodes.Done;
    }

    /// <summary>
    /// Carries out a saved plan: its inputs must still be what it recorded (else exit 3, "stale plan"),
    /// and planning them again must give exactly the saved actions (else the plan was edited: exit 2).
    /// </summary>
    public int Apply(SavedStockPlan saved, OutputFormat format, bool quiet, TextWriter stdout)
    {
        store.Recover();
        var gathered = OrStop(Gather(versioned: true, saved));
        var plan = OrStop(Decide(gathered));
        if (!plan.SequenceEqual(saved.Actions))
        {
            throw RunStoppedException.BadInput("the plan's actions are not what its inputs give (was it edited?); nothing was changed");
        }
        Print(quiet ? TextWriter.Null : stdout, plan, format);
        Execute(gathered, plan, held: null);
        return ExitCodes.Done;
    }

    private static T OrStop<T>(Either<Problem, T> outcome) =>
        outcome.Match(Right: value => value, Left: problem => throw new RunStoppedException(problem));

    /// <summary>
    /// Reads the input file and the store (on two cores: parsing millions of rows is most of a run's
    /// time), then validates them. A file that cannot be checked row by row (missing, a missing column) is
    /// reported alone; otherwise every bad row of every file. A saved plan whose inputs changed is stale,
    /// whatever their rows. (Matched, not composed with a query: LanguageExt's <c>Either.SelectMany</c>
    /// goes through its type classes, which a native build cannot load.)
    /// </summary>
    private Either<Problem, GatheredStock> Gather(bool versioned, SavedStockPlan? saved = null)
    {
        if (request.Kind == StockJobKind.Stock)
        {
            var (feed, snapshot) = ReadBoth(() => StockCsv.Batches(request.InputPath, request.InputPath, versioned), versioned);
            StageClock.Mark("stock: read the files");
            return Fresh(feed.File, snapshot, saved).Match(
                Right: _ => Validate(feed, snapshot, StockValidator.ValidateStock).Match<Either<Problem, GatheredStock>>(
                    Right: valid => Mark(new GatheredStock(feed.File, snapshot.Version, valid.State) { Stock = valid }),
                    Left: problem => problem),
                Left: problem => problem);
        }
        var (orders, state) = ReadBoth(() => StockCsv.OrderLines(request.InputPath, request.InputPath, versioned), versioned);
        StageClock.Mark("stock: read the files");
        return Fresh(orders.File, state, saved).Match(
            Right: _ => Validate(orders, state, StockValidator.ValidateAllocate).Match<Either<Problem, GatheredStock>>(
                Right: valid => new GatheredStock(orders.File, state.Version, valid.State) { Orders = valid.Orders },
                Left: problem => problem),
            Left: problem => problem);

        static GatheredStock Mark(GatheredStock gathered)
        {
            StageClock.Mark("stock: validated");
            return gathered;
        }
    }

    private (CsvRead<TRow> Input, StoreSnapshot Snapshot) ReadBoth<TRow>(Func<CsvRead<TRow>> input, bool versioned)
    {
        if (Environment.ProcessorCount < 2)
        {
            var first = input();
            return (first, store.Read(versioned));
        }
        var reading = OwnThread<CsvRead<TRow>>.Start(input);
        StoreSnapshot snapshot;
        try
        {
            snapshot = store.Read(versioned);
        }
        catch
        {
            // As when read one after the other: a failure to read the input file is the one reported.
            reading.Join();
            throw;
        }
        return (reading.Join(), snapshot);
    }

    /// <summary>Whether a saved plan's inputs are still what it recorded (always, without a saved plan).</summary>
    private Either<Problem, Unit> Fresh(InputFile input, StoreSnapshot snapshot, SavedStockPlan? saved)
    {
        if (saved is null)
        {
            return unit;
        }
        var changed = new List<string>();
        if (!string.Equals(input.Sha256, saved.InputSha256, StringComparison.Ordinal))
        {
            changed.Add(input.Name);
        }
        if (snapshot.Version != saved.StoreVersion)
        {
            changed.Add(store.Changes(saved.StoreVersion, snapshot.Version!));
        }
        return changed.Count == 0
            ? unit
            : Problem.Refused($"stale plan: {string.Join(", ", changed)} changed since the plan was made; nothing was changed, plan again");
    }

    private static Either<Problem, TValid> Validate<TRow, TValid>(
        CsvRead<TRow> input,
        StoreSnapshot snapshot,
        Func<RawTable<TRow>, StateRows, Validation<StockError, TValid>> validate)
    {
        string[] order = [input.File.Name, .. snapshot.Files];
        if (input.FileErrors.Count + snapshot.FileErrors.Count > 0)
        {
            return BadRows.Problem([.. input.FileErrors, .. snapshot.FileErrors], order);
        }
        return validate(input.Table, snapshot.Rows).Match(
            valid => input.RowErrors.Count + snapshot.RowErrors.Count == 0
                ? Right<Problem, TValid>(valid)
                : Left<Problem, TValid>(BadRows.Problem([.. input.RowErrors, .. snapshot.RowErrors.Select(snapshot.NameRow)], order)),
            errors => Left<Problem, TValid>(BadRows.Problem([.. input.RowErrors, .. snapshot.RowErrors.Select(snapshot.NameRow), .. errors.Select(snapshot.NameRow)], order)));
    }

    /// <summary>The plan, or the guard that refuses it.</summary>
    private Either<Problem, Seq<StockAction>> Decide(GatheredStock gathered)
    {
        if (request.Kind == StockJobKind.Allocate)
        {
            return StockPlanner.PlanAllocation(gathered.Orders, gathered.State);
        }
        var plan = StockPlanner.Plan(gathered.Stock!, request.Mode);
        StageClock.Mark("stock: planned");
        return StockGuard.Refusal(gathered.Stock!.Feed, request.Mode, request.MaxRemove, plan)
            .Match(Some: problem => Left<Problem, Seq<StockAction>>(problem), None: () => Right<Problem, Seq<StockAction>>(plan));
    }

    /// <summary>The store's lock; with <see cref="LockWait"/>, tried again until it is free or the time is up.</summary>
    private IDisposable LockWithinWait()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            try
            {
                return store.Lock();
            }
            catch (RunStoppedException locked) when (locked.Problem.Kind == ProblemKind.Locked && waited.Elapsed < LockWait)
            {
                if (!told)
                {
                    Notices.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reconcile: waiting up to {LockWait.TotalSeconds} s: {locked.Problem.Message}"));
                    Notices.Flush();
                    told = true;
                }
                Thread.Sleep(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static void Print(TextWriter stdout, Seq<StockAction> plan, OutputFormat format)
    {
        if (stdout == TextWriter.Null)
        {
            return; // --quiet: nothing would be seen, so nothing is formatted.
        }
        if (format == OutputFormat.Json)
        {
            StockPlanFormatter.WriteJson(stdout, plan);
        }
        else
        {
            StockPlanFormatter.WriteText(stdout, plan);
        }
        StageClock.Mark("stock: printed");
    }

    /// <summary>
    /// Commits the plan with its journal entry, under the store's lock, taken only now (unless the run
    /// queued for it) so that a run that stops on bad input or a guard leaves the store exactly as it
    /// was. An empty plan writes nothing, not even a journal entry, so a scheduled run that finds nothing
    /// to do leaves the store untouched.
    /// </summary>
    private void Execute(GatheredStock gathered, Seq<StockAction> plan, IDisposable? held)
    {
        if (plan.IsEmpty)
        {
            return;
        }
        using var taken = held is null ? LockWithinWait() : null;
        KillPoint.Step();
        var refused = store.Commit(gathered.Version!, () => new StockChange(
            gathered.State,
            StockSimulator.Apply(gathered.State, plan),
            new JournalEntry(clock.GetUtcNow(), request.Command, request.JournalOptions, [gathered.Input], plan)));
        refused.Match(Some: problem => throw new RunStoppedException(problem), None: () => unit);
    }
}
