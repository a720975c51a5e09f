using System.Globalization;
using System.Security.Cryptography;
using LanguageExt;

namespace Reconcile.Shell.Common;

/// <summary>
/// Start-up work done ahead, on the core that is idle while the command line is parsed: loading the
/// immutable-collection library and the platform's cryptography, which every files and stock run uses
/// a few milliseconds later on the main thread, then what the job's runner asks for
/// (<see cref="Files.MirrorRunner.WarmUp"/>). It changes nothing but how soon that code is ready.
/// The settings a run's process keeps (threads, the collection budget) are the runner's.
/// </summary>
internal static class Warmup
{
    /// <summary>Starts the warm-up for a job's run (not for help, the version or a usage error).</summary>
    public static void Start(string[] args)
    {
        if (args.Length < 2 || !Cli.CommandNames.Contains(args[0]) || args.Contains("--help") || args.Contains("-h"))
        {
            return;
        }
        var files = args[0] == "files";
        if (files || args[0] == "apply")
        {
            Files.MirrorRunner.ReserveHeap();
        }
        if (Environment.ProcessorCount < 2)
        {
            return;
        }
        running = new Thread(() =>
        {
            // What the run lock and the hash cache's file name need first, then what every run needs.
            _ = Convert.ToHexStringLower(SHA256.HashData([]));
            _ = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            _ = new List<string> { "" }.ToSeq().Count;
            if (files)
            {
                Files.MirrorRunner.WarmUp();
            }
        })
        {
            IsBackground = true,
            Priority = ThreadPriority.BelowNormal,
        };
        running.Start();
    }

    private static Thread? running;

    /// <summary>
    /// Waits (a little, at most) for the warm-up to end before the process does: a run that stops early,
    /// at a usage error, would otherwise end while the warm-up thread is still compiling, and the
    /// runtime's shutdown racing a compiling thread can abort the process when the compiler's
    /// diagnostics are on.
    /// </summary>
    public static void Settle() => running?.Join(TimeSpan.FromSeconds(2));
}
