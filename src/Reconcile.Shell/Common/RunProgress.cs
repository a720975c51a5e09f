using Spectre.Console;

namespace Reconcile.Shell.Common;

/// <summary>
/// A live progress display on stderr (Spectre.Console): one line per stage with a bar, counts or bytes,
/// rate and time left. <see cref="Silent"/> does nothing; it is what a run gets when stderr is not a
/// terminal, with --quiet, or with JSON output.
/// </summary>
public sealed class RunProgress
{
    public static readonly RunProgress Silent = new(null);

    private readonly ProgressContext? context;

    private RunProgress(ProgressContext? context) => this.context = context;

    public bool Visible => context is not null;

    /// <summary>Runs <paramref name="body"/> with a live display when <paramref name="show"/>, else silently.</summary>
    public static T Show<T>(bool show, Func<RunProgress, T> body)
    {
        if (!show)
        {
            return body(Silent);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            ColorSystem = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        var result = default(T)!;
        console.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .Start(ctx => result = body(new RunProgress(ctx)));
        return result;
    }

    /// <summary>A stage whose total is not known in advance: it counts what it has seen.</summary>
    public ProgressCounter Counter(string what)
    {
        if (context is null)
        {
            return ProgressCounter.None;
        }
        var task = context.AddTask(Markup.Escape(what));
        task.IsIndeterminate = true;
        return new ProgressCounter(task, what);
    }

    /// <summary>A stage measured in <paramref name="total"/> units (bytes for hashing and copying).</summary>
    public ProgressStage Stage(string description, double total)
    {
        if (context is null)
        {
            return ProgressStage.None;
        }
        var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
        return new ProgressStage(task);
    }
}

/// <summary>One stage of a <see cref="RunProgress"/>; safe to advance from several threads.</summary>
public sealed class ProgressStage
{
    public static readonly ProgressStage None = new(null);

    private readonly ProgressTask? task;

    internal ProgressStage(ProgressTask? task) => this.task = task;

    public void Advance(double units) => task?.Increment(units);

    public void Done()
    {
        if (task is not null)
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}

/// <summary>A count shown in a stage's description ("scanning 12345 entries"); safe from several threads.</summary>
public sealed class ProgressCounter
{
    public static readonly ProgressCounter None = new(null, "");

    private readonly ProgressTask? task;
    private readonly string what;
    private long count;

    internal ProgressCounter(ProgressTask? task, string what)
    {
        this.task = task;
        this.what = what;
    }

    public void Advance(long n)
    {
        if (task is null)
        {
            return;
        }
        var now = Interlocked.Add(ref count, n);
        task.Description = Markup.Escape(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what} {now:N0} entries"));
    }

    public void Done()
    {
        if (task is not null)
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
