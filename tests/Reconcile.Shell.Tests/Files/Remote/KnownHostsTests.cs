using System.Security.Cryptography;
using System.Text;
using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

public sealed class KnownHostsTests
{
    private static readonly byte[] Key = [.. Encoding.ASCII.GetBytes("the host's real key blob")];
    private static readonly byte[] Other = [.. Encoding.ASCII.GetBytes("a different key blob!!")];

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    /// <summary>A hashed name as <c>ssh-keygen -H</c> writes it.</summary>
    private static string Hashed(string name, byte[] salt)
    {
#pragma warning disable CA5350 // OpenSSH's format
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5350
        return $"|1|{B64(salt)}|{B64(hash)}";
    }

    [Fact]
    public void AListedKeyIsKnownOnItsPortOnly()
    {
        var hosts = KnownHosts.Parse($"nas,192.168.1.20 ssh-ed25519 {B64(Key)} comment\n[nas]:2222 ssh-ed25519 {B64(Other)}\n");
        Assert.Equal(HostKeyStatus.Known, hosts.Check("nas", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Known, hosts.Check("192.168.1.20", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Known, hosts.Check("nas", 2222, "ssh-ed25519", Other));
        Assert.Equal(HostKeyStatus.Changed, hosts.Check("nas", 2222, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Unknown, hosts.Check("nas", 2200, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Unknown, hosts.Check("other", 22, "ssh-ed25519", Key));
    }

    [Fact]
    public void AHostListedWithAnotherKeyHasChanged()
    {
        var hosts = KnownHosts.Parse($"nas ssh-ed25519 {B64(Other)}\n");
        Assert.Equal(HostKeyStatus.Changed, hosts.Check("nas", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Changed, hosts.Check("nas", 22, "ecdsa-sha2-nistp256", Key));
    }

    [Fact]
    public void HashedNamesAreMatchedWithTheirSalt()
    {
        var salt = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var hosts = KnownHosts.Parse($"{Hashed("[127.0.0.1]:2222", salt)} ssh-ed25519 {B64(Key)}\n{Hashed("nas", salt)} ssh-ed25519 {B64(Key)}\n");
        Assert.Equal(HostKeyStatus.Known, hosts.Check("127.0.0.1", 2222, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Known, hosts.Check("nas", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Changed, hosts.Check("nas", 22, "ssh-ed25519", Other));
        Assert.Equal(HostKeyStatus.Unknown, hosts.Check("127.0.0.1", 22, "ssh-ed25519", Key));
    }

    [Fact]
    public void WildcardsNegationRevokedKeysAndJunkLines()
    {
        var hosts = KnownHosts.Parse(
            $"# comment\n\n*.lan,!evil.lan ssh-ed25519 {B64(Key)}\n@cert-authority * ssh-ed25519 {B64(Other)}\n@revoked * ssh-rsa {B64(Other)}\nbroken line\nnas ssh-ed25519 not-base64!\n");
        Assert.Equal(HostKeyStatus.Known, hosts.Check("box.lan", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Unknown, hosts.Check("evil.lan", 22, "ssh-ed25519", Key));
        Assert.Equal(HostKeyStatus.Changed, hosts.Check("anything", 22, "ssh-rsa", Other));
        Assert.Equal(HostKeyStatus.Unknown, hosts.Check("nas", 22, "ssh-ed25519", Key));
    }

    [Fact]
    public void ARecordedLineReadsBackAsKnown()
    {
        var line = KnownHosts.Line("127.0.0.1", 2222, "ssh-ed25519", Key);
        Assert.StartsWith("[127.0.0.1]:2222 ssh-ed25519 ", line, StringComparison.Ordinal);
        Assert.Equal(HostKeyStatus.Known, KnownHosts.Parse(line).Check("127.0.0.1", 2222, "ssh-ed25519", Key));
        Assert.Equal("nas", KnownHosts.NameOf("nas", 22));
    }
}
