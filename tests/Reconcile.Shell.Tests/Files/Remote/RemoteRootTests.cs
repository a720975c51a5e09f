using FsCheck;
using FsCheck.Fluent;
using LanguageExt;
using Reconcile.Core.Common;
using Reconcile.Core.Tests;
using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

public sealed class RemoteRootTests
{
    private static Option<RemoteRoot> Parsed(string written) =>
        RemoteRoot.Parse(written, "DEST").Match(Right: root => root, Left: problem => throw new InvalidOperationException(problem.Message));

    private static RemoteRoot Remote(string written) =>
        Parsed(written).IfNone(() => throw new InvalidOperationException($"{written} was taken for a local path"));

    private static Problem Refused(string written) =>
        RemoteRoot.Parse(written, "DEST").Match(Right: _ => throw new InvalidOperationException($"{written} was accepted"), Left: problem => problem);

    [Theory]
    [InlineData("backup@nas:/srv/mirror", "backup", "nas", null, "/srv/mirror")]
    [InlineData("nas:photos", null, "nas", null, "photos")]
    [InlineData("nas:", null, "nas", null, "")]
    [InlineData("a@b@nas:x", "a@b", "nas", null, "x")]
    [InlineData("[::1]:/srv", null, "::1", null, "/srv")]
    [InlineData("nas:dir:with:colons", null, "nas", null, "dir:with:colons")]
    [InlineData("sftp://nas/srv/mirror", null, "nas", null, "/srv/mirror")]
    [InlineData("sftp://backup@nas:2222/srv/mirror", "backup", "nas", 2222, "/srv/mirror")]
    [InlineData("sftp://nas/~/photos", null, "nas", null, "photos")]
    [InlineData("sftp://nas", null, "nas", null, "")]
    [InlineData("SFTP://nas/a%20b", null, "nas", null, "/a b")]
    [InlineData("sftp://u@[::1]:22/x", "u", "::1", 22, "/x")]
    public void RemoteFormsGiveUserHostPortAndPath(string written, string? user, string host, int? port, string path) =>
        Assert.Equal(new RemoteRoot(user, host, port, path), Remote(written));

    [Theory]
    [InlineData("./a:b")]
    [InlineData("/mnt/a:b")]
    [InlineData("dir/host:path")]
    [InlineData("plain")]
    [InlineData(":path")]
    [InlineData("")]
    public void ALocalPathStaysLocal(string written) => Assert.True(Parsed(written).IsNone);

    [Theory]
    [InlineData("sftp://nas:0/x", "'0' is not a port number")]
    [InlineData("sftp://nas:http/x", "'http' is not a port number")]
    [InlineData("sftp://nas:70000/x", "'70000' is not a port number")]
    [InlineData("sftp:///x", "no host name")]
    [InlineData("@nas:x", "no user name")]
    [InlineData("-oProxyCommand=x:y", "is not a host name")]
    public void ABadRemoteFormIsBadInputNamingTheRootAndTheProblem(string written, string why)
    {
        var problem = Refused(written);
        Assert.Equal(ProblemKind.BadInput, problem.Kind);
        Assert.StartsWith($"DEST {written}: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(why, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoRemoteRootsAreBadUsage()
    {
        var problem = RemoteRoot.OfRun("a:x", "sftp://b/y").Match(Right: _ => throw new InvalidOperationException("accepted"), Left: p => p);
        Assert.Equal(ProblemKind.BadInput, problem.Kind);
        Assert.Contains("both remote", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneRemoteRootIsFoundOnEitherSide()
    {
        static Option<(RemoteRoot Root, bool IsDest)> Of(string source, string dest) =>
            RemoteRoot.OfRun(source, dest).Match(Right: r => r, Left: p => throw new InvalidOperationException(p.Message));
        Assert.Equal((new RemoteRoot(null, "nas", null, "x"), true), Of("./src", "nas:x").IfNone(default((RemoteRoot, bool))));
        Assert.Equal((new RemoteRoot(null, "nas", null, "x"), false), Of("nas:x", "./dst").IfNone(default((RemoteRoot, bool))));
        Assert.True(Of("./a:b", "/x/c:d").IsNone);
    }

    /// <summary>Host names and paths written in the rsync form read back as written, whatever the path holds.</summary>
    [ReconcileProperty]
    public bool TheRsyncFormKeepsAnyPathAfterTheFirstColon(NonEmptyString hostSeed, string? path)
    {
        var host = new string([.. hostSeed.Get.Where(char.IsAsciiLetterOrDigit)]);
        if (host.Length == 0)
        {
            return true;
        }
        var parsed = Remote(host + ":" + (path ?? ""));
        return parsed == new RemoteRoot(null, host, null, path ?? "");
    }

    /// <summary>As in rsync: a slash before the first colon always means a local path.</summary>
    [ReconcileProperty]
    public bool ASlashBeforeTheFirstColonIsLocal(string? before, string? after)
    {
        var written = (before ?? "").Replace(":", "", StringComparison.Ordinal) + "/" + ":" + (after ?? "");
        return !written.StartsWith("sftp://", StringComparison.OrdinalIgnoreCase) && Parsed(written).IsNone;
    }
}
