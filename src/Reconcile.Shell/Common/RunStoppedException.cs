namespace Reconcile.Shell.Common;

/// <summary>
/// A run that stops before changing anything: bad usage or input (exit 2), a safety guard (exit 3),
/// a held lock (exit 4). The message is printed as it is, without a stack trace.
/// </summary>
public sealed class RunStoppedException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static RunStoppedException BadInput(string message) => new(ExitCodes.BadInput, message);

    public static RunStoppedException Refused(string message) => new(ExitCodes.Refused, message);
}
