using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// What every mirror endpoint must do, as DEST of a local SOURCE: carry out each kind of action, show
/// the result in its scan and its reads, hand files it would destroy to the backup instead, and leave no
/// partly written file when an action fails. An adapter passes this class, through a subclass that says
/// how to make a fresh, empty root of it, or it is not done. (An adapter that needs a server skips,
/// with the reason, when there is none.)
/// </summary>
public abstract class MirrorEndpointContract : IDisposable
{
    private static readonly DateTime Time = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    protected MirrorEndpointContract()
    {
        SourceRoot = Temp.Combine("source");
        Directory.CreateDirectory(SourceRoot);
    }

    protected TempDirectory Temp { get; } = new();

    protected string SourceRoot { get; }

    /// <summary>A fresh, empty root of the endpoint under test.</summary>
    protected abstract IMirrorEndpoint NewEmptyDest();

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private LocalEndpoint Source => new(LocalAccess.OfThisMachine(), SourceRoot);

    private void WriteSource(string relative, string content, int mode = 0b110_100_100)
    {
        var path = Path.Combine(SourceRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
        File.SetLastWriteTimeUtc(path, Time.AddSeconds(content.Length));
    }

    private static FileTree Scan(IMirrorEndpoint endpoint, bool asDest = true) =>
        endpoint.Scan([], asDest, known: null, entries: null).Tree;

    private static string Read(IMirrorEndpoint endpoint, string path)
    {
        using var reader = new StreamReader(endpoint.OpenRead(path));
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Every directory, and every file with its size, time (to what <paramref name="like"/> keeps),
    /// permission bits (if it keeps them) and bytes, in ordinal order.
    /// </summary>
    private static List<string> Listing(IMirrorEndpoint endpoint, FileTree tree, IMirrorEndpoint like) =>
        [
            .. tree.Directories.Order(StringComparer.Ordinal).Select(d => d + "/"),
            .. tree.Files.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => $"{f.Key} {f.Value.Size} {f.Value.ModifiedUtc.Ticks / like.Traits.TimeResolution.Ticks} {(like.Traits.PermissionBits ? f.Value.Mode : 0)} {Read(endpoint, f.Key)}"),
        ];

    /// <summary>Plans from the two scans, and runs the plan through the runner on this endpoint.</summary>
    private FileExecution Mirror(IMirrorEndpoint dest, Action<string>? alsoBefore = null)
    {
        alsoBefore?.Invoke(dest.Root);
        var plan = FilePlanner.Plan(Scan(Source, asDest: false), Scan(dest), new FilePlanOptions(Checksum: false));
        return new MirrorRunner(Source, dest).Execute(plan);
    }

    [SkippableFact]
    public void ACopyShowsInTheScanWithItsSizeTimeAndPermissionBitsAndReadsBackItsBytes()
    {
        WriteSource("docs/a.txt", "alpha", 0b111_101_000);
        var dest = NewEmptyDest();
        dest.Apply(new MakeDirectory("docs"), Source, keep: null);
        dest.Apply(new CopyFile("docs/a.txt", 5, new FileMeta(Time.AddSeconds(5), 0b111_101_000)), Source, keep: null);
        var entry = Scan(dest).Files["docs/a.txt"];
        Assert.Equal(5, entry.Size);
        Assert.True((entry.ModifiedUtc - Time.AddSeconds(5)).Duration() < dest.Traits.TimeResolution + TimeSpan.FromTicks(1));
        if (dest.Traits.PermissionBits)
        {
            Assert.Equal(0b111_101_000, entry.Mode);
        }
        Assert.Equal("alpha", Read(dest, "docs/a.txt"));
    }

    [SkippableFact]
    public void HashGivesTheSha256OfEachFileItHoldsAndNamesTheOnesItCannotRead()
    {
        WriteSource("a", "alpha");
        WriteSource("sub/b", "");
        var dest = NewEmptyDest();
        dest.Apply(new MakeDirectory("sub"), Source, keep: null);
        dest.Apply(new CopyFile("a", 5, new FileMeta(Time.AddSeconds(5), 0b110_100_100)), Source, keep: null);
        dest.Apply(new CopyFile("sub/b", 0, new FileMeta(Time, 0b110_100_100)), Source, keep: null);
        var sizes = new System.Collections.Concurrent.ConcurrentBag<long>();

        var (hashes, problems) = dest.Hash(Seq.create("a", "sub/b", "missing"), sizes.Add);

        Assert.Equal(ContentHash.FromBytes(System.Security.Cryptography.SHA256.HashData("alpha"u8)), hashes["a"]);
        Assert.Equal(ContentHash.FromBytes(System.Security.Cryptography.SHA256.HashData([])), hashes["sub/b"]);
        Assert.False(hashes.ContainsKey("missing"));
        Assert.Contains("missing", Assert.Single(problems), StringComparison.Ordinal);
        Assert.Equal([0L, 5L], sizes.Order());
    }

    [SkippableFact]
    public void EveryKindOfActionRunByTheRunnerLeavesTheEndpointEqualToSource()
    {
        WriteSource("kept", "same");
        WriteSource("renamed/new-name", "moved content");
        WriteSource("changed", "new bytes!");
        WriteSource("twice/a", "copied twice");
        WriteSource("twice/b", "copied twice");
        var dest = NewEmptyDest();
        var first = Mirror(dest);
        Assert.Empty(first.Failures);
        File.Move(Path.Combine(SourceRoot, "renamed/new-name"), Path.Combine(SourceRoot, "renamed-elsewhere"));
        WriteSource("changed", "other bytes");
        File.Delete(Path.Combine(SourceRoot, "twice/b"));
        File.SetLastWriteTimeUtc(Path.Combine(SourceRoot, "kept"), Time.AddDays(1));

        var second = Mirror(dest);

        Assert.Empty(second.Failures);
        var source = Scan(Source, asDest: false);
        Assert.Equal(Listing(Source, source, dest), Listing(dest, Scan(dest), dest));
        Assert.Equal("moved content", Read(dest, "renamed-elsewhere"));
        Assert.Empty(FilePlanner.Plan(source, Scan(dest), new FilePlanOptions(Checksum: false)));
    }

    [SkippableFact]
    public void ASwapOfTwoFilesIsCarriedOutWithoutReadingSourceAgain()
    {
        WriteSource("a", "first content");
        WriteSource("b", "second content");
        var dest = NewEmptyDest();
        Assert.Empty(Mirror(dest).Failures);
        var sourceTree = Scan(Source, asDest: false);
        // The same bytes under swapped names: a plan with hashes moves them (one stashed on the way).
        File.Move(Path.Combine(SourceRoot, "a"), Path.Combine(SourceRoot, "tmp"));
        File.Move(Path.Combine(SourceRoot, "b"), Path.Combine(SourceRoot, "a"));
        File.Move(Path.Combine(SourceRoot, "tmp"), Path.Combine(SourceRoot, "b"));
        var hashOf = new Dictionary<string, ContentHash> { ["first content"] = new(1, 0, 0, 0), ["second content"] = new(2, 0, 0, 0) };
        FileTree Hashed(IMirrorEndpoint endpoint, FileTree tree) => tree with
        {
            Files = tree.Files.ToDictionary(f => f.Key, f => f.Value with { Hash = hashOf[Read(endpoint, f.Key)] }, StringComparer.Ordinal),
        };
        var plan = FilePlanner.Plan(Hashed(Source, Scan(Source, asDest: false)), Hashed(dest, Scan(dest)), new FilePlanOptions(Checksum: true));
        Assert.Contains(plan, a => a is StashFile);
        Assert.Equal(0, FileSummary.Of(plan).BytesToCopy);

        Assert.Empty(new MirrorRunner(Source, dest).Execute(plan).Failures);

        Assert.Equal("second content", Read(dest, "a"));
        Assert.Equal("first content", Read(dest, "b"));
        Assert.Equal(sourceTree.Files.Keys.Order(StringComparer.Ordinal), Scan(dest).Files.Keys.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void FilesADeletionOrReplacementWouldDestroyAreHandedToKeepInstead()
    {
        WriteSource("replaced", "old");
        WriteSource("deleted", "gone soon");
        var dest = NewEmptyDest();
        Assert.Empty(Mirror(dest).Failures);
        WriteSource("replaced", "newer");
        var kept = new List<string>();
        void Keep(string path)
        {
            kept.Add(path + "=" + Read(dest, path));
            dest.Apply(new DeleteFile(path), Source, keep: null);
        }

        dest.Apply(new UpdateFile("replaced", 5, new FileMeta(Time.AddSeconds(5), 0b110_100_100)), Source, Keep);
        dest.Apply(new DeleteFile("deleted"), Source, Keep);

        Assert.Equal(["replaced=old", "deleted=gone soon"], kept);
        Assert.Equal("newer", Read(dest, "replaced"));
        Assert.Equal(["replaced"], Scan(dest).Files.Keys);
    }

    [SkippableFact]
    public void ACopyThatFailsThrowsAnIOErrorAndLeavesNothingBehind()
    {
        WriteSource("changes", "twelve bytes");
        var dest = NewEmptyDest();
        var meta = new FileMeta(Time, 0b110_100_100);
        Assert.ThrowsAny<IOException>(() => dest.Apply(new CopyFile("vanished", 3, meta), Source, keep: null));
        Assert.ThrowsAny<IOException>(() => dest.Apply(new CopyFile("changes", 99, meta), Source, keep: null));
        Assert.Empty(Scan(dest).Files);
    }

    [SkippableFact]
    public void TheRunnerSkipsDeletionsAfterAFailureAndReportsEachInPlanOrder()
    {
        WriteSource("x", "x");
        var dest = NewEmptyDest();
        Assert.Empty(Mirror(dest).Failures);
        var meta = new FileMeta(Time, 0b110_100_100);
        var plan = Prelude.Seq<FileAction>(new CopyFile("vanished", 3, meta), new DeleteFile("x"));
        var result = new MirrorRunner(Source, dest).Execute(plan);
        Assert.Equal(2, result.Failures.Count);
        Assert.StartsWith("copy", result.Failures[0], StringComparison.Ordinal);
        Assert.EndsWith("skipped because an earlier action failed", result.Failures[1], StringComparison.Ordinal);
        Assert.Equal(["x"], Scan(dest).Files.Keys);
    }
}

/// <summary>The local endpoint as the program reaches it (the native calls on Linux).</summary>
public sealed class LocalEndpointContractTests : MirrorEndpointContract
{
    protected override IMirrorEndpoint NewEmptyDest()
    {
        var root = Temp.Combine("dest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        return new LocalEndpoint(LocalAccess.OfThisMachine(), root);
    }
}

/// <summary>The local endpoint through IFileSystem alone, as on a platform without the native calls.</summary>
public sealed class PortableLocalEndpointContractTests : MirrorEndpointContract
{
    protected override IMirrorEndpoint NewEmptyDest()
    {
        var root = Temp.Combine("dest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        return new LocalEndpoint(LocalAccess.Through(new System.IO.Abstractions.FileSystem()), root);
    }
}
