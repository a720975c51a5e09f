using Reconcile.Core.Common;

namespace Reconcile.Shell.Common;

/// <summary>
/// Carries a <see cref="Problem"/> from deep in the shell to the top-level handler, which alone turns it
/// into an exit code and a one-line message, without a stack trace.
/// </summary>
public sealed class RunStoppedException(Problem problem) : Exception(problem.Message)
{
    public Problem Problem { get; } = problem;

    public static RunStoppedException BadInput(string message) => new(Problem.BadInput(message));

    public static RunStoppedException Refused(string message) => new(Problem.Refused(message));

    public static RunStoppedException Locked(string message) => new(Problem.Locked(message));
}
