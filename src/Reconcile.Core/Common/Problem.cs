namespace Reconcile.Core.Common;

/// <summary>What kind of reason stops a run before it changes anything.</summary>
public enum ProblemKind
{
    /// <summary>Bad usage or bad input: an option, an argument, a file or a row is wrong.</summary>
    BadInput,

    /// <summary>A safety guard refused the plan, or a saved plan no longer matches its inputs.</summary>
    Refused,

    /// <summary>Another run holds the lock.</summary>
    Locked,
}

/// <summary>
/// A refusal or a problem found before anything was changed, as a value. The core returns these; the
/// shell turns one into an exit code and a one-line message in one place, its top-level handler.
/// </summary>
public sealed record Problem(ProblemKind Kind, string Message)
{
    /// <summary>Lines printed before the message, one each (the bad rows of an input, say).</summary>
    public LanguageExt.Seq<string> Details { get; init; } = LanguageExt.Seq<string>.Empty;

    public static Problem BadInput(string message) => new(ProblemKind.BadInput, message);

    public static Problem Refused(string message) => new(ProblemKind.Refused, message);

    public static Problem Locked(string message) => new(ProblemKind.Locked, message);
}
