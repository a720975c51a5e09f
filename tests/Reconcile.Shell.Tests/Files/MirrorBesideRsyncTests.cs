using System.Globalization;
using System.Runtime.Versioning;
using FsCheck;
using FsCheck.Fluent;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// <c>reconcile files SOURCE DEST</c> beside <c>rsync -a --delete SOURCE/ DEST/</c>: both start from
/// copies (<c>cp -a</c>) of the same DEST, and afterwards <c>find -printf '%P %y %s %m %U:%G %T@ %l'</c>
/// (plus file bytes and device numbers) lists both the same; planning again gives an empty plan. As
/// root (owners, devices) and, for the rules of a run that is not root, as <c>nobody</c>, where the one
/// difference is on purpose: a setuid or setgid bit of a file of someone else's is not given to its copy.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class MirrorBesideRsyncTests : IDisposable
{
    private const int Dir = 0b111_101_101;
    private const int File644 = 0b110_100_100;
    private const long Second = 1_000_000_000;

    private readonly TempDirectory temp = new();
    private int runs;

    public void Dispose() => temp.Dispose();

    private static void SkipUnlessRootWithRsync()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the comparison uses Linux's find, stat, mknod and setpriv");
        Skip.IfNot(Command.Exists("rsync"), "rsync is not installed (.ci/run installs it)");
        Skip.IfNot(ExeRun.IsRoot, "owners, devices and the run as nobody need root (CI runs as root)");
    }

    private static SpecEntry F(string path, string text, int mode = File644, int uid = 0, int gid = 0, long time = 0) =>
        new(path, 'f', text, mode, uid, gid, TreeSpec.Base + time);

    private static SpecEntry D(string path, int mode = Dir, int uid = 0, int gid = 0, long time = 0) =>
        new(path, 'd', "", mode, uid, gid, TreeSpec.Base + time);

    private static SpecEntry L(string path, string target, int uid = 0, int gid = 0, long time = 0) =>
        new(path, 'l', target, 0b111_111_111, uid, gid, TreeSpec.Base + time);

    private static SpecEntry N(string path, char kind, string data = "", int mode = File644, long time = 0) =>
        new(path, kind, data, mode, 0, 0, TreeSpec.Base + time);

    /// <summary>Builds both trees, mirrors with both programs, compares; returns reconcile's run.</summary>
    private CliRun Compare(IEnumerable<SpecEntry> source, IEnumerable<SpecEntry> start, bool asNobody = false)
    {
        var n = (runs++).ToString(CultureInfo.InvariantCulture);
        var src = temp.Combine("src" + n);
        var origin = temp.Combine("start" + n);
        var theirs = temp.Combine("rsync" + n);
        var ours = temp.Combine("ours" + n);
        TreeSpec.Build(src, source, owners: !asNobody);
        TreeSpec.Build(origin, start, owners: !asNobody);
        Command.MustRun("cp", "-a", origin, theirs);
        Command.MustRun("cp", "-a", origin, ours);
        CliRun run;
        if (asNobody)
        {
            File.SetUnixFileMode(temp.Path, (UnixFileMode)Dir);
            var cache = temp.Combine("cache" + n);
            Directory.CreateDirectory(cache);
            Command.MustRun("chown", "-R", "65534:65534", theirs, ours, cache);
            Command.MustRun("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "rsync", "-a", "--delete", src + "/", theirs + "/");
            // The one difference on purpose: rsync gives the copy of a file of someone else's its setuid
            // and setgid bits; reconcile never does (every SOURCE file here belongs to root).
            Command.MustRun("find", theirs, "-type", "f", "-perm", "/6000", "-exec", "chmod", "ug-s", "{}", "+");
            var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache, ["HOME"] = cache };
            run = ExeRun.AsNobody(temp.Combine("program"), environment, "files", src, ours);
            Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
            Assert.Equal(TreeSpec.Listing(theirs), TreeSpec.Listing(ours));
            var again = ExeRun.AsNobody(temp.Combine("program"), environment, "files", "-n", src, ours);
            Assert.True(again.Stdout.StartsWith("summary: nothing to do", StringComparison.Ordinal), again.ToString());
            return run;
        }
        Command.MustRun("rsync", "-a", "--delete", src + "/", theirs + "/");
        run = CliRun.Of("files", "--no-cache", src, ours);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal(TreeSpec.Listing(theirs), TreeSpec.Listing(ours));
        var plan = CliRun.Of("files", "-n", "--no-cache", src, ours);
        Assert.True(plan.Stdout == "summary: nothing to do; DEST mirrors SOURCE (0 B to copy)\n", plan.ToString());
        return run;
    }

    /// <summary>Every kind of entry, and every odd bit, owner and name, into an empty DEST.</summary>
    private static List<SpecEntry> EveryKind() =>
    [
        D(""),
        F("plain", "text", time: 5 * Second + 123_456_789),
        F("empty", ""),
        F("setuid", "run me", 0b100_111_101_101, uid: 1000, gid: 1000),
        F("setgid", "group", 0b010_111_101_101, uid: 1001, gid: 2000),
        F("closed", "nobody reads this", 0),
        F("owned", "by 1234", uid: 1234, gid: 4321),
        D("private", 0b111_000_000, uid: 1000, gid: 1000, time: 3 * Second + 1),
        F("private/key", "secret", 0b110_000_000, uid: 1000, gid: 1000),
        D("shared", 0b010_111_111_101, gid: 2000, time: 7),
        D("tmp", 0b001_111_111_111),
        D("readonly", 0b101_101_101, time: 11 * Second),
        F("readonly/inside", "filled before its directory is closed"),
        D("readonly/deeper", 0b101_000_000),
        F("readonly/deeper/leaf", "leaf"),
        D("empty-dir", time: 42),
        L("link-in", "plain", uid: 1000, gid: 1000, time: 9 * Second + 5),
        L("link-out", "/etc/hostname"),
        L("dangling", "../no/such/thing"),
        L("dir-link", "private"),
        N("pipe", 'p', mode: 0b110_100_000, time: 3),
        N("socket", 's', mode: 0b111_101_101),
        N("zero", 'c', "1 5"),
        N("loop", 'b', "7 200", mode: 0b110_110_000),
        F("two\nlines", "a newline in the name"),
        F("\u001b[31mred", "an escape in the name"),
        F(new string('n', 255), "the longest name"),
        F("é z", "not ASCII"),
    ];

    [SkippableFact]
    public void EveryKindOfEntryIsMirroredAsRsyncMirrorsIt()
    {
        SkipUnlessRootWithRsync();
        Compare(EveryKind(), [D("")]);
    }

    [SkippableFact]
    public void EveryKindOfChangeIsMirroredAsRsyncMirrorsIt()
    {
        SkipUnlessRootWithRsync();
        List<SpecEntry> start =
        [
            D(""),
            F("content", "old", time: Second),
            F("renamed-from", "a file that is renamed in SOURCE", time: 2 * Second),
            F("mode-only", "m", File644),
            F("owner-only", "o", uid: 1000),
            F("time-only", "t", time: 4 * Second),
            F("file-to-dir", "f"),
            D("dir-to-file"),
            F("dir-to-file/inside", "i"),
            L("link-to-file", "plain"),
            F("file-to-link", "becomes a link"),
            L("link-to-dir", "x"),
            D("dir-to-link"),
            F("dir-to-link/inside", "gone"),
            L("retarget", "old-target"),
            N("pipe-to-file", 'p'),
            F("file-to-pipe", "p"),
            D("readonly", 0b101_101_101),
            F("readonly/changes", "before"),
            F("extra", "not in SOURCE"),
            D("extra-dir/deeper"),
            D("extra-dir"),
            F("extra-dir/deeper/x", "x"),
        ];
        List<SpecEntry> source =
        [
            D("", time: 99),
            F("content", "new", time: 8 * Second),
            F("renamed-to", "a file that is renamed in SOURCE", time: 2 * Second),
            F("mode-only", "m", 0b111_000_000),
            F("owner-only", "o", uid: 1001, gid: 7),
            F("time-only", "t", time: 6 * Second + 5),
            D("file-to-dir"),
            F("file-to-dir/new", "n"),
            F("dir-to-file", "now a file"),
            F("link-to-file", "now a file"),
            L("file-to-link", "content"),
            D("link-to-dir"),
            L("dir-to-link", "/outside"),
            L("retarget", "new-target"),
            F("pipe-to-file", "f"),
            N("file-to-pipe", 'p'),
            D("readonly", 0b101_101_101, time: 12),
            F("readonly/changes", "after", time: 3 * Second),
        ];
        Compare(source, start);
    }

    [SkippableFact]
    public void GeneratedTreesAndRandomChangesAreMirroredAsRsyncMirrorsThem()
    {
        SkipUnlessRootWithRsync();
        foreach (var seed in new[] { 1, 2, 3, 4 })
        {
            var generator = new SpecGenerator(seed, owners: true, devices: true);
            var start = generator.Tree(30);
            var source = generator.Mutate(start, 8);
            Compare(source, start);
        }
    }

    /// <summary>The same comparison from FsCheck's seeds: few cases by default, more with RECONCILE_PBT_MAX_TEST.</summary>
    [SkippableFact]
    public void AnyGeneratedTreeIsMirroredAsRsyncMirrorsIt()
    {
        SkipUnlessRootWithRsync();
        var maxTest = int.TryParse(Environment.GetEnvironmentVariable("RECONCILE_PBT_MAX_TEST"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 3;
        var cases = Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(1, 40)).Zip(Gen.Choose(0, 12));
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ((seed, size), changes) = c;
            var generator = new SpecGenerator(seed, owners: true, devices: true);
            var start = generator.Tree(size);
            Compare(generator.Mutate(start, changes), start);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(maxTest));
    }

    /// <summary>
    /// As a user who is not root: owners are not kept (copies belong to the user), devices are skipped
    /// with one warning and DEST's entry at their path is left alone, a setuid or setgid bit of a file of
    /// someone else's is not given, FIFOs, sockets and links are made as root makes them.
    /// </summary>
    [SkippableFact]
    public void AsAnotherUserOwnersAndDevicesAreSkippedAsRsyncSkipsThem()
    {
        SkipUnlessRootWithRsync();
        Skip.IfNot(Command.Exists("setpriv"), "setpriv is not installed (.ci/run installs util-linux)");
        List<SpecEntry> source =
        [
            D(""),
            F("plain", "text", time: 5 * Second + 3),
            F("setuid-of-root", "not for nobody", 0b100_111_101_101),
            D("closed-later", 0b101_101_101, time: 4),
            F("closed-later/inside", "i"),
            L("link", "plain"),
            N("pipe", 'p'),
            N("socket", 's', mode: Dir),
            N("zero", 'c', "1 5"),
            N("one", 'c', "1 3"),
            F("changed", "new", time: 9 * Second),
        ];
        List<SpecEntry> start =
        [
            D(""),
            F("changed", "old"),
            F("zero", "what DEST had where SOURCE has a device"),
            F("gone", "g"),
        ];
        var run = Compare(source, start, asNobody: true);
        Assert.Single(run.Stderr.Split('\n'), line => line.Contains("device file(s)", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void GeneratedTreesAsAnotherUserAreMirroredAsRsyncMirrorsThem()
    {
        SkipUnlessRootWithRsync();
        Skip.IfNot(Command.Exists("setpriv"), "setpriv is not installed (.ci/run installs util-linux)");
        foreach (var seed in new[] { 11, 12 })
        {
            var generator = new SpecGenerator(seed, owners: false, devices: true) { ReadableByAll = true };
            var start = generator.Tree(25);
            Compare(generator.Mutate(start, 6), start, asNobody: true);
        }
    }

    /// <summary>A name from its bytes: ASCII text, then bytes that need not be UTF-8.</summary>
    private static string Name(string ascii, params byte[] bytes) => ascii + NameBytes.Decode(bytes);

    private static readonly string Lone80 = Name("lone-", 0x80);
    private static readonly string LoneFF = Name("ff-", 0xFF);
    private static readonly string Truncated = Name("cut-", 0xE2, 0x82);
    private static readonly string Surrogate = Name("surrogate-", 0xED, 0xA0, 0x80);
    private static readonly string X80 = Name("x", 0x80);
    private static readonly string X81 = Name("x", 0x81);
    private static readonly string BadDir = Name("dir-", 0xFF);
    private static readonly string Longest = NameBytes.Decode([.. Enumerable.Repeat((byte)0xFE, 100), .. Enumerable.Repeat((byte)'n', 155)]);
    private const string MovedText = "a file whose name is not UTF-8, renamed in SOURCE: moved in DEST, never copied again";

    /// <summary>
    /// Names that are not UTF-8, as files, directories and link targets: a lone continuation byte, 0xFF,
    /// a cut multi-byte sequence, an encoded surrogate, two names that differ only in a byte that is not
    /// UTF-8 (and the U+FFFD that a lossy decoding would make of both), 255 bytes.
    /// </summary>
    private static List<SpecEntry> NotUtf8Source() =>
    [
        D(""),
        F(Lone80, "a"),
        F(LoneFF, "b"),
        F(Truncated, "c"),
        F(Surrogate, "d"),
        F(X80, "one", time: 3 * Second),
        F(X81, "other"),
        F("x\uFFFD", "the replacement character itself, which is UTF-8"),
        D(BadDir, 0b111_000_000, time: 5),
        F(BadDir + "/" + Name("in-", 0xC3), "inside"),
        L(Name("link-", 0x80), Name("target-", 0xFF, 0x2F, 0x80)),
        L("link-to-lone", Lone80),
        F(Longest, "255 bytes"),
        F(Name("renamed-", 0xFF), MovedText, time: 2 * Second),
    ];

    private static List<SpecEntry> NotUtf8Start() =>
    [
        D(""),
        F(Name("was-", 0x80), MovedText, time: 2 * Second),
        F(Name("gone-", 0xFE), "deleted"),
        D(Name("gone-dir-", 0x80)),
        F(Name("gone-dir-", 0x80) + "/" + Name("", 0xFF), "deleted with its directory"),
        F(X80, "old"),
        L(Name("stale-", 0xC3), "x"),
    ];

    [SkippableFact]
    public void NamesThatAreNotUtf8AreMirroredAsRsyncMirrorsThem()
    {
        SkipUnlessRootWithRsync();
        var run = Compare(NotUtf8Source(), NotUtf8Start());
        var lines = run.Stdout.Split('\n');
        // Renamed, not copied again: the one move, between the two names, each byte escaped as rsync escapes it.
        Assert.Contains(lines, line => PlanText.Squeeze(line) == "move was-\\#200 → renamed-\\#377");
        Assert.DoesNotContain(lines, line => line.Contains("renamed-", StringComparison.Ordinal) && line.StartsWith("copy", StringComparison.Ordinal));
        Assert.Contains(lines, line => PlanText.Squeeze(line) == "delete gone-\\#376");
        Assert.Contains(lines, line => line.EndsWith("  x\\#200", StringComparison.Ordinal) && line.StartsWith("update", StringComparison.Ordinal));
        Assert.DoesNotContain('\uFFFD', run.Stdout.Replace("x\uFFFD", "", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void NamesThatAreNotUtf8RoundTripThroughJsonAndASavedPlan()
    {
        SkipUnlessRootWithRsync();
        Skip.IfNot(Command.Exists("python3"), "python3 reads the JSON back");
        var src = temp.Combine("src");
        var origin = temp.Combine("start");
        var theirs = temp.Combine("rsync");
        var ours = temp.Combine("ours");
        TreeSpec.Build(src, NotUtf8Source(), owners: true);
        TreeSpec.Build(origin, NotUtf8Start(), owners: true);
        Command.MustRun("cp", "-a", origin, theirs);
        Command.MustRun("cp", "-a", origin, ours);

        // JSON: each name as the escape of its lone surrogate, which Python reads back to the very bytes.
        var json = CliRun.Of("files", "-n", "--no-cache", "--format", "json", src, ours);
        Assert.True(json.ExitCode == ExitCodes.Done, json.ToString());
        Assert.Contains("was-\\udc80", json.Stdout, StringComparison.Ordinal);
        var planJson = temp.Combine("plan-shown.json");
        File.WriteAllText(planJson, json.Stdout);
        const string names = """
            import json, os, sys
            plan = json.load(open(sys.argv[1]))
            for a in plan["actions"]:
                for key in ("path", "from", "to", "target"):
                    if key in a:
                        print(os.fsencode(a[key]).hex())
            """;
        var fromPython = Command.MustRun("python3", "-c", names, planJson).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var expected in new[] { Name("was-", 0x80), Name("renamed-", 0xFF), Name("gone-", 0xFE), Name("link-", 0x80), Name("target-", 0xFF, 0x2F, 0x80), Longest, Truncated, Surrogate })
        {
            Assert.Contains(Convert.ToHexStringLower(NameBytes.Encode(expected)), fromPython);
        }

        // A saved plan carries the names as JSON does, and applying it gives what rsync gives.
        var plan = temp.Combine("plan.json");
        var saved = CliRun.Of("files", "-n", "--no-cache", "--plan-out", plan, src, ours);
        Assert.True(saved.ExitCode == ExitCodes.Done, saved.ToString());
        var applied = CliRun.Of("apply", plan);
        Assert.True(applied.ExitCode == ExitCodes.Done, applied.ToString());
        Command.MustRun("rsync", "-a", "--delete", src + "/", theirs + "/");
        Assert.Equal(TreeSpec.Listing(theirs), TreeSpec.Listing(ours));
        var again = CliRun.Of("files", "-n", "--no-cache", src, ours);
        Assert.True(again.Stdout == "summary: nothing to do; DEST mirrors SOURCE (0 B to copy)\n", again.ToString());
    }

    /// <summary>
    /// As a user who is not root, a DEST directory whose bits forbid writing (0555, as its SOURCE
    /// directory has them) is opened to its owner while new entries go in, and closed again: as rsync does.
    /// </summary>
    [SkippableFact]
    public void AsAnotherUserADirectoryThatForbidsWritingIsFilledAndClosedAsRsyncDoes()
    {
        SkipUnlessRootWithRsync();
        Skip.IfNot(Command.Exists("setpriv"), "setpriv is not installed (.ci/run installs util-linux)");
        const int ReadOnlyDir = 0b101_101_101;
        List<SpecEntry> source =
        [
            D(""),
            D("closed", ReadOnlyDir, time: 4),
            F("closed/new", "a new file in a directory nobody may write", time: 2 * Second),
            F("closed/changed", "new text", time: 3 * Second),
            D("closed/deeper", ReadOnlyDir, time: 6),
            F("closed/deeper/leaf", "leaf"),
            F(Name("closed/not-utf8-", 0xFF), "and a name that is not UTF-8"),
            D("closing", ReadOnlyDir, time: 8),
            F("closing/kept", "k"),
        ];
        List<SpecEntry> start =
        [
            D(""),
            D("closed", ReadOnlyDir, time: 1),
            F("closed/changed", "old text"),
            F("closed/gone", "removed from a directory nobody may write"),
            D("closed/deeper", ReadOnlyDir),
            D("closing"),
            F("closing/kept", "k"),
        ];
        Compare(source, start, asNobody: true);
    }
}
