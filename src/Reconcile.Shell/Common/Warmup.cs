using System.Security.Cryptography;
using LanguageExt;

namespace Reconcile.Shell.Common;

/// <summary>
/// Start-up work done ahead, on the core that is idle while the command line is parsed: loading the
/// immutable-collection library and the platform's cryptography, which every files and stock run uses
/// a few milliseconds later on the main thread. It changes nothing but how soon those are ready.
/// </summary>
internal static class Warmup
{
    /// <summary>Starts the warm-up for a job's run (not for help, the version or a usage error).</summary>
    public static void Start(string[] args)
    {
        if (Environment.ProcessorCount < 2 || args.Length < 2 || !Cli.CommandNames.Contains(args[0]) || args.Contains("--help") || args.Contains("-h"))
        {
            return;
        }
        new Thread(() =>
        {
            _ = new List<string> { "" }.ToSeq().Count;
            _ = SHA256.HashData([]);
        })
        {
            IsBackground = true,
            Priority = ThreadPriority.BelowNormal,
        }.Start();
    }
}
