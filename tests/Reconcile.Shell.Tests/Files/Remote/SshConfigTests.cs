using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

public sealed class SshConfigTests
{
    private const string Config = """
        # a user's ~/.ssh/config
        Host nas backup
            HostName 192.168.1.20
            User backup
            Port 2222
            IdentityFile ~/.ssh/nas_ed25519

        Host *.example.org !secret.example.org
          User=web
          IdentityFile = "~/.ssh/my key"

        Match host nas exec "false"
            User nobody

        Host web?
            HostName %h.example.org

        Host *
            User everyone
            Port 22
            IdentityFile ~/.ssh/id_default
            IdentitiesOnly yes
        """;

    private static readonly SshConfig Parsed = SshConfig.Parse(Config);

    [Fact]
    public void AnAliasGivesItsHostNameUserPortAndKeysBeforeTheDefaults()
    {
        var nas = Parsed.For("nas");
        Assert.Equal("192.168.1.20", nas.HostName);
        Assert.Equal("backup", nas.User);
        Assert.Equal(2222, nas.Port);
        Assert.Equal(["~/.ssh/nas_ed25519", "~/.ssh/id_default"], nas.IdentityFiles);
        Assert.True(nas.IdentitiesOnly);
        var backup = Parsed.For("backup");
        Assert.Equal((nas.HostName, nas.User, nas.Port), (backup.HostName, backup.User, backup.Port));
    }

    [Fact]
    public void WildcardsMatchAndANegatedPatternExcludes()
    {
        var www = Parsed.For("www.example.org");
        Assert.Equal("web", www.User);
        Assert.Null(www.HostName);
        Assert.Equal(["~/.ssh/my key", "~/.ssh/id_default"], www.IdentityFiles);
        Assert.Equal("everyone", Parsed.For("secret.example.org").User);
        Assert.Equal("web1.example.org", Parsed.For("web1").HostName);
        Assert.Null(Parsed.For("web12").HostName);
    }

    [Fact]
    public void MatchBlocksAreSkippedAndHostStarGivesDefaultsOnly()
    {
        var other = Parsed.For("elsewhere");
        Assert.Equal((null, "everyone", 22, true), (other.HostName, other.User, other.Port, other.IdentitiesOnly));
        Assert.Equal(["~/.ssh/id_default"], other.IdentityFiles);
    }

    [Fact]
    public void AnEmptyConfigSaysNothing()
    {
        var none = SshConfig.Empty.For("nas");
        Assert.Equal((null, null, null, false), (none.HostName, none.User, none.Port, none.IdentitiesOnly));
        Assert.Empty(none.IdentityFiles);
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("nas", "NAS", true)]
    [InlineData("n?s", "nas", true)]
    [InlineData("n?s", "nas2", false)]
    [InlineData("*.lan", "a.b.lan", true)]
    [InlineData("*.lan", "lan", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    public void PatternsAreOpenSshWildcards(string pattern, string host, bool matches) =>
        Assert.Equal(matches, SshConfig.Wildcard(pattern, host));

    [Fact]
    public void IdentityFileNamesExpandTheHomeAndTokens()
    {
        Assert.Equal("/home/u/.ssh/id_nas", SshConnection.Expand("~/.ssh/id_%h", "/home/u", "nas", "me"));
        Assert.Equal("/home/u/keys/me", SshConnection.Expand("%d/keys/%r", "/home/u", "nas", "me"));
        Assert.Equal("/home/u/.ssh/relative", SshConnection.Expand("relative", "/home/u", "nas", "me"));
    }
}
