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
    [InlineData("é *", "dir/é x", false, true)]
    [InlineData("a+b(1).txt", "a+b(1).txt", false, true)]
    public void MatchesLikeRsync(string pattern, string path, bool isDirectory, bool expected) =>
        Assert.Equal(expected, PathGlob.Parse(pattern).Matches(path, isDirectory));

    [Fact]
    public void PatternOfOnlySlashesIsRejected() =>
        Assert.Throws<ArgumentException>(() => PathGlob.Parse("/"));
}
