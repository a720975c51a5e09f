using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reconcile.Shell.Files.Remote;

/// <summary>What <c>known_hosts</c> says of a host key.</summary>
public enum HostKeyStatus
{
    /// <summary>The host is listed with this very key.</summary>
    Known,

    /// <summary>The host is not listed.</summary>
    Unknown,

    /// <summary>The host is listed with other keys only, or this key is revoked: never trusted.</summary>
    Changed,
}

/// <summary>
/// OpenSSH's <c>known_hosts</c>: one key per line, <c>[marker] hosts keytype base64-key [comment]</c>.
/// Hosts are comma-separated patterns (<c>*</c>, <c>?</c>, <c>!</c>), <c>[host]:port</c> for a port other
/// than 22, or one hashed name <c>|1|salt|hash</c> (HMAC-SHA1 of the name, keyed with the salt).
/// <c>@revoked</c> keys are refused; <c>@cert-authority</c> lines are not used.
/// </summary>
public sealed class KnownHosts
{
    private readonly List<(string[] Hosts, string KeyType, byte[] Key, bool Revoked)> entries;

    private KnownHosts(List<(string[] Hosts, string KeyType, byte[] Key, bool Revoked)> entries) => this.entries = entries;

    public static readonly KnownHosts Empty = new([]);

    public static KnownHosts Parse(string text)
    {
        var entries = new List<(string[] Hosts, string KeyType, byte[] Key, bool Revoked)>();
        foreach (var raw in text.Split('\n'))
        {
            var fields = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }
            var revoked = false;
            if (fields[0].StartsWith('@'))
            {
                if (!fields[0].Equals("@revoked", StringComparison.Ordinal))
                {
                    continue;
                }
                revoked = true;
                fields = fields[1..];
            }
            if (fields.Length < 3)
            {
                continue;
            }
            byte[] key;
            try
            {
                key = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }
            entries.Add((fields[0].Split(','), fields[1], key, revoked));
        }
        return new KnownHosts(entries);
    }

    /// <summary>The name a host has in <c>known_hosts</c>: <c>host</c>, or <c>[host]:port</c> off port 22.</summary>
    public static string NameOf(string host, int port) =>
        port == 22 ? host : string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}");

    public HostKeyStatus Check(string host, int port, string keyType, byte[] key)
    {
        var name = NameOf(host, port);
        var listed = false;
        foreach (var (hosts, type, known, revoked) in entries)
        {
            if (revoked)
            {
                if (known.AsSpan().SequenceEqual(key))
                {
                    return HostKeyStatus.Changed;
                }
                continue;
            }
            if (!Names(hosts, name))
            {
                continue;
            }
            if (type.Equals(keyType, StringComparison.Ordinal) && known.AsSpan().SequenceEqual(key))
            {
                return HostKeyStatus.Known;
            }
            listed = true;
        }
        return listed ? HostKeyStatus.Changed : HostKeyStatus.Unknown;
    }

    /// <summary>The line that records a host's key, as <c>ssh</c> writes it with <c>HashKnownHosts no</c>.</summary>
    public static string Line(string host, int port, string keyType, byte[] key) =>
        $"{NameOf(host, port)} {keyType} {Convert.ToBase64String(key)}";

    private static bool Names(string[] hosts, string name)
    {
        if (hosts.Length == 1 && hosts[0].StartsWith("|1|", StringComparison.Ordinal))
        {
            return HashedNames(hosts[0], name);
        }
        return SshConfig.Matches(hosts, name);
    }

    private static bool HashedNames(string hashed, string name)
    {
        var parts = hashed.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            // OpenSSH's hashed names are HMAC-SHA1: the file's format, not a choice made here.
#pragma warning disable CA5350
            var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5350
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
