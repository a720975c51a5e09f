using Reconcile.Core.Files;
using static Reconcile.Core.Tests.Files.Some;

namespace Reconcile.Core.Tests.Files;

public class FileTreeTests
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private static readonly ContentHash Counting = new(0x0001020304050607, 0x08090a0b0c0d0e0f, 0x1011121314151617, 0x18191a1b1c1d1e1f);

    [Fact]
    public void DigestBytesAreReadAsFourBigEndianWords() =>
        Assert.Equal(Counting, ContentHash.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void DigestOfAnotherLengthIsRejected(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => ContentHash.FromBytes(new byte[length]));
        Assert.Equal("digest", error.ParamName);
        Assert.StartsWith("a SHA-256 digest has 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HashPrintsAsLowercaseHexAndParsesBack()
    {
        Assert.Equal(Hex, Counting.ToString());
        Assert.True(ContentHash.TryParse(Hex, out var parsed));
        Assert.Equal(Counting, parsed);
        Assert.True(ContentHash.TryParse(Hex.ToUpperInvariant(), out var upper));
        Assert.Equal(Counting, upper);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData(Hex + "0")]
    public void HexOfAnotherLengthIsNotAHash(string hex)
    {
        Assert.False(ContentHash.TryParse(hex, out var hash));
        Assert.Equal(default, hash);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(63)]
    public void NonHexCharacterInAnyWordIsNotAHash(int at)
    {
        var hex = Hex[..at] + "g" + Hex[(at + 1)..];
        Assert.False(ContentHash.TryParse(hex, out var hash));
        Assert.Equal(default, hash);
    }

    [Theory]
    [InlineData("a", "")]
    [InlineData("a/b", "a")]
    [InlineData("a/b/c", "a/b")]
    public void ParentOfAPath(string path, string parent) => Assert.Equal(parent, FileTrees.Parent(path));

    [Fact]
    public void AllDirectoriesAddsEveryAncestorButNotTheRoot()
    {
        Assert.Empty(FileTrees.AllDirectories(Tree(("top", 1))));
        var all = FileTrees.AllDirectories(Tree([("x/y/z", 1), ("x/w", 2)], ["p/q", "r"]));
        Assert.Equal(new[] { "p", "p/q", "r", "x", "x/y" }, all.Order(StringComparer.Ordinal));
    }
}
