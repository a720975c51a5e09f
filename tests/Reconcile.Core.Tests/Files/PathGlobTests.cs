using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

public class PathGlobTests
{
    [Theory]
    [InlineData("*.tmp", "a.tmp", false, true)]
    [InlineData("*.tmp", "deep/dir/a.tmp", false, true)]
    [InlineData("*.tmp", "a.tmp.keep", false, false)]
    [InlineData("cache/", "x/cache", true, true)]
    [InlineData("cache/", "x/cache", false, false)]
    [InlineData("/build", "build", true, true)]
    [InlineData("/build", "src/build", true, false)]
    [InlineData("src/*.o", "src/main.o", false, true)]
    [InlineData("src/*.o", "src/sub/main.o", false, false)]
    [InlineData("src/**/*.o", "src/main.o", false, true)]
    [InlineData("src/**/*.o", "src/a/b/main.o", false, true)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("file?.txt", "file10.txt", false, false)]
    [InlineData("[ab].txt", "b.txt", false, true)]
    [InlineData("[!ab].txt", "b.txt", false, false)]
    [InlineData("[ab].txt", "a.txt", false, true)]
    [InlineData("[ab].txt", "c.txt", false, false)]
    [InlineData("[ab].txt", "e.txt", false, false)]
    [InlineData("[!ab].txt", "c.txt", false, true)]
    [InlineData("[!ab].txt", "!.txt", false, true)]
    [InlineData("[^ab].txt", "a.txt", false, false)]
    [InlineData("[^ab].txt", "^.txt", false, true)]
    [InlineData("[a-c].txt", "b.txt", false, true)]
    [InlineData("[a-c].txt", "d.txt", false, false)]
    [InlineData("[a-c].txt", "-.txt", false, false)]
    [InlineData("a[b", "a[b", false, true)]
    [InlineData("a[b", "ab", false, false)]
    [InlineData("[]x", "[]x", false, true)]
    [InlineData("[]x", "x", false, false)]
    [InlineData("logs/**", "logs/a/b.txt", false, true)]
    [InlineData("logs/**", "other/logs/a", false, false)]
    [InlineData("a**z", "dir/abcz", false, true)]
    [InlineData("tmp/**", "tmp/line\nbreak", false, true)]
    [InlineData("*", "x/line\nbreak", false, true)]
    [InlineData("é *", "dir/é x", false, true)]
    [InlineData("a+b(1).txt", "a+b(1).txt", false, true)]
    [InlineData("[!]x", "[!]x", false, true)]
    [InlineData("[]a]", "]", false, true)]
    [InlineData("[]a]", "b", false, false)]
    [InlineData("[!]a]", "b", false, true)]
    [InlineData(@"[\-]", @"\", false, true)]
    [InlineData("[^a]", "^", false, true)]
    [InlineData("[a^]", "^", false, true)]
    public void MatchesLikeRsync(string pattern, string path, bool isDirectory, bool expected) =>
        Assert.Equal(expected, PathGlob.Parse(pattern).Matches(path, isDirectory));

    [Fact]
    public void PatternOfOnlySlashesIsRejected() =>
        Assert.Throws<ArgumentException>(() => PathGlob.Parse("/"));

    [Fact]
    public void PatternThatIsOnlySlashesSaysItMatchesNothing()
    {
        var error = Assert.Throws<ArgumentException>(() => PathGlob.Parse("//"));
        Assert.Equal("pattern", error.ParamName);
        Assert.StartsWith("exclude pattern '//' matches nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPatternIsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => PathGlob.Parse(null!));
        Assert.Throws<ArgumentException>(() => PathGlob.Parse(""));
    }

    [Fact]
    public void AnyMatchesWhenOnePatternMatches()
    {
        var globs = new[] { PathGlob.Parse("*.tmp"), PathGlob.Parse("cache/") };
        Assert.True(PathGlob.AnyMatches(globs, "a/b.tmp", false));
        Assert.True(PathGlob.AnyMatches(globs, "a/cache", true));
        Assert.False(PathGlob.AnyMatches(globs, "a/cache", false));
        Assert.False(PathGlob.AnyMatches(globs, "a/b.txt", false));
        Assert.False(PathGlob.AnyMatches([], "a/b.tmp", false));
    }
}
