using System.IO.Abstractions;
using System.Security.Cryptography;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

public sealed class ContentHasherTests : IDisposable
{
    private const int Chunk = 1 << 18;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Sizes around the read chunk: a file read in one go, one that fills it exactly, and longer ones.</summary>
    public static TheoryData<int> Sizes => [0, 1, 4095, Chunk - 1, Chunk, Chunk + 1, 3 * Chunk, 1_000_003];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void EveryFileHashesToTheSha256OfItsBytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var root = temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(root, "d"));
        File.WriteAllBytes(Path.Combine(root, "d/file"), bytes);
        long told = 0;

        var (hashes, problems) = new ContentHasher(LocalAccess.OfThisMachine()) { Hashed = n => Interlocked.Add(ref told, n) }
            .Hash(root, Seq.create("d/file"));

        Assert.Empty(problems);
        Assert.Equal(ContentHash.FromBytes(SHA256.HashData(bytes)), hashes["d/file"]);
        Assert.Equal(size, told);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AStreamThatAnswersInSmallPiecesHashesTheSame(int size)
    {
        var bytes = new byte[size];
        new Random(size + 1).NextBytes(bytes);
        using var stream = new Trickle(bytes, 1000);

        var (hash, length) = ContentHasher.HashOf(stream, new byte[Chunk]);

        Assert.Equal(ContentHash.FromBytes(SHA256.HashData(bytes)), hash);
        Assert.Equal(size, length);
    }

    /// <summary>How the other root's file differs from this root's: not at all, or at one end or the other.</summary>
    public static TheoryData<int, string> SizesAndDifferences()
    {
        var data = new TheoryData<int, string>();
        foreach (var size in new[] { 0, 1, Chunk - 1, Chunk, Chunk + 1, 3 * Chunk })
        {
            foreach (var difference in new[] { "none", "first byte", "last byte", "one byte more", "one byte less", "missing", "a directory" })
            {
                if (size > 0 || difference is not ("first byte" or "last byte" or "one byte less"))
                {
                    data.Add(size, difference);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndDifferences))]
    public void HashingBesideAnotherTreeTellsWhetherItsFileHoldsTheSameBytes(int size, string difference)
    {
        var bytes = new byte[size];
        new Random(size + 2).NextBytes(bytes);
        var other = difference switch
        {
            "first byte" => [(byte)(bytes[0] ^ 1), .. bytes[1..]],
            "last byte" => [.. bytes[..^1], (byte)(bytes[^1] ^ 1)],
            "one byte more" => [.. bytes, 7],
            "one byte less" => bytes[..^1],
            _ => bytes,
        };
        var (root, otherRoot) = (temp.Combine("tree"), temp.Combine("mirror"));
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(otherRoot);
        File.WriteAllBytes(Path.Combine(root, "file"), bytes);
        if (difference == "a directory")
        {
            Directory.CreateDirectory(Path.Combine(otherRoot, "file"));
        }
        else if (difference != "missing")
        {
            File.WriteAllBytes(Path.Combine(otherRoot, "file"), other);
        }
        foreach (var hashWhenSame in new[] { true, false })
        {
            long told = 0;

            var (hashes, same, problems) = new ContentHasher(LocalAccess.OfThisMachine()) { Hashed = n => Interlocked.Add(ref told, n) }
                .HashComparing(root, otherRoot, Seq.create("file"), hashWhenSame);

            Assert.Empty(problems);
            Assert.Equal(difference == "none", same.Contains("file"));
            if (hashWhenSame || difference != "none")
            {
                Assert.Equal(ContentHash.FromBytes(SHA256.HashData(bytes)), hashes["file"]);
            }
            else
            {
                // Compared only: the same bytes need no hash.
                Assert.False(hashes.ContainsKey("file"));
            }
            Assert.Equal(size, told);
        }
    }

    [Fact]
    public void AMissingFileIsAProblemAndTheOthersAreStillHashed()
    {
        var root = temp.Combine("tree");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "here"), "here");

        var (hashes, problems) = new ContentHasher(LocalAccess.OfThisMachine()).Hash(root, Seq.create("gone", "here"));

        Assert.Equal(["here"], hashes.Keys);
        Assert.Contains(Path.Combine(root, "gone") + ": cannot read: ", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void AFifoOrDirectoryWhereAFileWasIsAProblemAndIsNeverWaitedOn()
    {
        var root = temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(root, "dir"));
        File.WriteAllText(Path.Combine(root, "here"), "here");
        var fifo = Path.Combine(root, "fifo");
        var mkfifo = OperatingSystem.IsLinux() ? System.Diagnostics.Process.Start("mkfifo", [fifo]) : null;
        mkfifo?.WaitForExit();
        string[] paths = mkfifo is { ExitCode: 0 } ? ["dir", "fifo", "here"] : ["dir", "here"];

        // Opening a FIFO for reading would wait for a writer that never comes.
        var (hashes, problems) = new ContentHasher(LocalAccess.OfThisMachine()).Hash(root, Seq.createRange(paths));

        Assert.Equal(["here"], hashes.Keys);
        Assert.Equal(paths.Length - 1, problems.Count);
        Assert.All(problems, p => Assert.Contains(": cannot read: ", p, StringComparison.Ordinal));
    }

    /// <summary>A stream that never gives more than <c>piece</c> bytes per read, as pipes and some file systems do.</summary>
    private sealed class Trickle(byte[] bytes, int piece) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));
    }
}
