using System.Runtime.InteropServices;

namespace Reconcile.Shell.Common;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (systemd stopping a unit, a timeout). Before a run starts writing, the
/// process stops at once: nothing was changed, and the kernel drops the run lock with the process. While
/// a run writes, the action under way is finished (its temporary file renamed into place, or removed when
/// it fails), no further action starts, the run reports what it did and exits 130 or 143 (128 + the
/// signal), as shells and service managers expect; the next run finishes the job.
/// </summary>
public static class Interruption
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    private static int signal;
    private static volatile bool writing;
    private static TextWriter? errors;
    private static PosixSignalRegistration? onInterrupt;
    private static PosixSignalRegistration? onTerminate;

    /// <summary>Whether a signal asked the run to stop.</summary>
    public static bool Requested => Volatile.Read(ref signal) != 0;

    /// <summary>128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCode => 128 + Volatile.Read(ref signal);

    /// <summary>The signal's name, for the message.</summary>
    public static string Name => Volatile.Read(ref signal) == SigInt ? "SIGINT" : "SIGTERM";

    /// <summary>Handles both signals for the rest of the process; messages go to <paramref name="stderr"/>.</summary>
    public static void Install(TextWriter stderr)
    {
        errors = stderr;
        onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>
    /// From here on the run writes: a signal stops it between two actions, not at once. A signal that came
    /// before this is ending the process on the handler's thread: then this never returns, so the run
    /// cannot start writing while the process exits.
    /// </summary>
    public static void StartWriting()
    {
        lock (Gate)
        {
            if (!Requested)
            {
                writing = true;
                return;
            }
        }
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Makes "is the run writing yet?" and "did a signal come?" one decision, whichever comes first.</summary>
    private static readonly object Gate = new();

    private static void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (Gate)
        {
            // The first signal counts; a second one while the run winds down changes nothing.
            var first = Interlocked.CompareExchange(ref signal, context.Signal == PosixSignal.SIGINT ? SigInt : SigTerm, 0) == 0;
            if (writing)
            {
                return;
            }
            if (first)
            {
                errors?.WriteLine($"reconcile: stopped by {Name} before anything was changed");
            }
        }
        Environment.Exit(ExitCode);
    }

    /// <summary>The signal number a test hook names: INT or TERM.</summary>
    internal static int? NumberOf(string? name) => name switch
    {
        "INT" => SigInt,
        "TERM" => SigTerm,
        _ => null,
    };
}
