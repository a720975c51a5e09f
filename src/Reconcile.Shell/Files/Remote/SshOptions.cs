using System.CommandLine;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// How to reach a remote root: <paramref name="KeyFile"/> (<c>--ssh-key</c>) tried before the keys
/// <c>~/.ssh/config</c> names and the default ones; <paramref name="AcceptNewHostKey"/>
/// (<c>--accept-new-host-key</c>) records the key of a host <c>known_hosts</c> does not list yet;
/// <paramref name="Home"/> is the home whose <c>.ssh</c> is read (<c>$HOME</c> by default).
/// </summary>
public sealed record SshOptions(string? KeyFile = null, bool AcceptNewHostKey = false, string? Home = null)
{
    public static readonly SshOptions Default = new();

    /// <summary>The home directory whose <c>.ssh</c> is used: <see cref="Home"/>, else <c>$HOME</c>, as for the hash cache.</summary>
    public string HomeDirectory =>
        Home ?? (Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary><c>--ssh-key</c>: a private key to log in with.</summary>
    public static Option<string?> KeyOption() =>
        new("--ssh-key") { Description = "For a remote root (host:path or sftp://host/path): log in with this private key first (then ~/.ssh/config's IdentityFile and ~/.ssh/id_ed25519, id_ecdsa, id_rsa).", HelpName = "FILE" };

    /// <summary><c>--accept-new-host-key</c>: record the key of a host not yet in <c>known_hosts</c>.</summary>
    public static Option<bool> AcceptNewOption() =>
        new("--accept-new-host-key") { Description = "For a remote root: trust and record the host key of a host ~/.ssh/known_hosts does not list yet (a changed key is always refused)." };

    public static SshOptions Of(ParseResult parse, Option<string?> key, Option<bool> acceptNew) =>
        new(parse.GetValue(key), parse.GetValue(acceptNew));
}
