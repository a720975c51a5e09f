using System.Globalization;
using System.Security.Cryptography;
using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Common;

/// <summary>
/// Start-up work done ahead, on the core that is idle while the command line is parsed: loading the
/// immutable-collection library and the platform's cryptography, which every files and stock run uses
/// a few milliseconds later on the main thread, and, for a files run, planning two tiny made-up trees,
/// so that the code the planner runs on is compiled before the real trees are gathered. (Collections of
/// value types, such as hashes by content, have no precompiled code in the runtime: each one used is
/// compiled at its first use.) It changes nothing but how soon that code is ready.
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
        var files = args[0] == "files";
        running = new Thread(() =>
        {
            // What the run lock and the hash cache's file name need first, then what every run needs.
            _ = Convert.ToHexStringLower(SHA256.HashData([]));
            _ = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            _ = new List<string> { "" }.ToSeq().Count;
            if (files)
            {
                PlanMadeUpTrees();
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

    /// <summary>
    /// A kept file, one whose time changed, one whose content changed, a renamed one (found by its hash),
    /// a new one and an extra one, with and without --checksum.
    /// </summary>
    internal static void PlanMadeUpTrees()
    {
        var time = DateTime.UnixEpoch;
        var hash = new ContentHash(1, 2, 3, 4);
        var source = Tree(
            ("a/kept", new FileEntry(1, time, 420)),
            ("a/touched", new FileEntry(2, time.AddSeconds(1), 420)),
            ("a/changed", new FileEntry(3, time, 420)),
            ("b/renamed", new FileEntry(4, time, 420, hash)),
            ("b/new", new FileEntry(5, time, 420)));
        var dest = Tree(
            ("a/kept", new FileEntry(1, time, 420)),
            ("a/touched", new FileEntry(2, time, 420)),
            ("a/changed", new FileEntry(6, time, 420)),
            ("old", new FileEntry(4, time, 420, hash)),
            ("c/extra", new FileEntry(7, time, 420)));
        foreach (var checksum in new[] { false, true })
        {
            var options = new FilePlanOptions(Checksum: checksum);
            _ = FilePlanner.PathsToHash(source, dest, options);
            _ = FilePlanner.Plan(source, dest, options).Count;
        }
    }

    /// <summary>A tree of these files; their directories are implied, as the planner reads them.</summary>
    private static FileTree Tree(params (string Path, FileEntry Entry)[] files) =>
        new(files.ToDictionary(f => f.Path, f => f.Entry, StringComparer.Ordinal), FileTree.Empty.Directories);
}
