using System.CommandLine;
using System.IO.Abstractions;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files.Remote;

namespace Reconcile.Shell.Files;

/// <summary><c>reconcile files SOURCE DEST</c>: gather both trees, plan, then print or execute the plan.</summary>
public static class FilesCommand
{
    /// <summary>What the command does, and examples; shown after the options by <c>reconcile files --help</c>.</summary>
    public const string Examples = """
        Make DEST an exact one-way mirror of SOURCE, as rsync -a --delete does: same paths, bytes, empty
        directories, symbolic links, FIFOs and sockets, times and permission bits, and as root owners and
        devices, and nothing else. Files are matched by content, so a renamed or moved file is
        moved inside DEST instead of being copied again. Nothing is ever written inside SOURCE.

        Examples:
          reconcile files -n ~/photos /mnt/backup/photos          show the plan, change nothing
          reconcile files ~/photos /mnt/backup/photos             mirror
          reconcile files -q --max-delete 500 --backup-dir /mnt/trash ~/photos /mnt/backup/photos
          reconcile files --exclude '*.tmp' --exclude cache/ project/ /srv/mirror/project/
          reconcile files -n --plan-out plan.json SRC DEST && reconcile apply plan.json
          reconcile files ~/photos backup@nas:/srv/mirror/photos     to another machine over SSH
        """;

    public static Command Create(TextWriter stdout, TextWriter stderr, Terminal? terminal = null)
    {
        var source = Options.Path("SOURCE", "The directory tree to mirror (never written to).");
        var dest = Options.Path("DEST", "The mirror directory; created if its parent exists.");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print the plan and change nothing." };
        var check = new Option<bool>("--check") { Description = "Change nothing; exit 0 when DEST is a mirror, 5 when changes are pending." };
        var format = Options.Format();
        var checksum = new Option<bool>("--checksum", "-c") { Description = "Compare every file by content hash instead of size and modification time." };
        var exclude = new Option<string[]>("--exclude") { Description = "Leave paths matching GLOB alone on both sides (repeatable; '*.tmp', 'cache/', '/build').", HelpName = "GLOB" };
        var maxDelete = Options.Count("--max-delete", "Refuse (exit 3) a plan that deletes more than N files.");
        var allowEmpty = new Option<bool>("--allow-empty-source") { Description = "Allow an empty SOURCE to empty a non-empty DEST." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors." };
        var backupDir = Options.PathOption("--backup-dir", "Move every file the run deletes or overwrites into DIR, under its relative path (numbered .~N~ when taken). DIR must be outside SOURCE and DEST.", "DIR");
        var planOut = Options.PathOption("--plan-out", "With --dry-run: save the plan to FILE, to run later with 'reconcile apply FILE'.", "FILE");
        var cacheDir = Options.PathOption("--cache-dir", "Keep the hash cache in DIR instead of $XDG_CACHE_HOME/reconcile or ~/.cache/reconcile.", "DIR");
        var noCache = new Option<bool>("--no-cache") { Description = "Neither read nor write the hash cache." };
        var modifyWindow = Options.Seconds("--modify-window", "Times whose whole seconds differ by no more than SECONDS are the same (default 0; negative: compare nanoseconds too).");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print, on stderr, how many files were scanned, hashed and found in the hash cache." };
        var sshKey = SshOptions.KeyOption();
        var acceptNew = SshOptions.AcceptNewOption();
        var command = new Command("files", "Make DEST an exact one-way mirror of SOURCE; renamed files are moved, never copied again.")
        {
            source, dest, dryRun, check, format, checksum, exclude, maxDelete, allowEmpty, quiet, backupDir, planOut, cacheDir, noCache, verbose, modifyWindow, sshKey, acceptNew,
        };
        command.SetAction(parse => new FilesRun(LocalAccess.OfThisMachine(), stdout, stderr, terminal, SshOptions.Of(parse, sshKey, acceptNew)).Run(new FilesRequest(
            parse.GetValue(source)!,
            parse.GetValue(dest)!,
            parse.GetValue(dryRun),
            parse.GetValue(check),
            Options.FormatOf(parse, format) == OutputFormat.Json,
            parse.GetValue(checksum),
            parse.GetValue(exclude) ?? [],
            parse.GetValue(maxDelete),
            parse.GetValue(allowEmpty),
            parse.GetValue(quiet),
            parse.GetValue(backupDir),
            parse.GetValue(planOut),
            parse.GetValue(noCache),
            parse.GetValue(cacheDir),
            parse.GetValue(verbose),
            parse.GetValue(modifyWindow))));
        return command;
    }
}
