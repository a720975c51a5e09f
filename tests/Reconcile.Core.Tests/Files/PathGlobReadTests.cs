using Reconcile.Core.Common;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>Patterns from the command line: a pattern that matches nothing is bad input, as a value.</summary>
public class PathGlobReadTests
{
    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    public void APatternThatMatchesNothingIsBadInputNamingIt(string pattern) =>
        Assert.Equal(
            Problem.BadInput($"--exclude {pattern}: exclude pattern '{pattern}' matches nothing"),
            PathGlob.Read(pattern).Match(_ => Problem.Refused("read"), problem => problem));

    [Fact]
    public void AGoodPatternReadsAsItParses()
    {
        var glob = PathGlob.Read("cache/").IfLeft(p => throw new InvalidOperationException(p.Message));
        Assert.True(glob.Matches("a/cache", isDirectory: true));
        Assert.False(glob.Matches("a/cache", isDirectory: false));
    }
}
