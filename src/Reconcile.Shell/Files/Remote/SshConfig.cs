using System.Globalization;

namespace Reconcile.Shell.Files.Remote;

/// <summary>What <c>~/.ssh/config</c> says about one host: each value null when no entry gives it.</summary>
public sealed record SshHostSettings(string? HostName, string? User, int? Port, IReadOnlyList<string> IdentityFiles, bool IdentitiesOnly);

/// <summary>
/// The parts of OpenSSH's client configuration a mirror needs: <c>Host</c> blocks (several patterns,
/// <c>*</c> and <c>?</c> wildcards, <c>!</c> negation) with <c>HostName</c>, <c>User</c>, <c>Port</c>,
/// <c>IdentityFile</c> and <c>IdentitiesOnly</c>. As in OpenSSH, the first value found for a keyword wins
/// (so <c>Host *</c> defaults go last), and every matching <c>IdentityFile</c> is tried in order.
/// <c>Match</c> blocks are skipped (their conditions need more than a host name); other keywords are
/// ignored.
/// </summary>
public sealed class SshConfig
{
    private readonly List<(string[] Patterns, List<(string Key, string Value)> Lines)> blocks;

    private SshConfig(List<(string[] Patterns, List<(string Key, string Value)> Lines)> blocks) => this.blocks = blocks;

    public static readonly SshConfig Empty = new([]);

    public static SshConfig Parse(string text)
    {
        // Lines before the first Host apply to every host.
        var blocks = new List<(string[] Patterns, List<(string Key, string Value)> Lines)> { (["*"], []) };
        var skipping = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var (key, value) = KeyAndValue(line);
            if (key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                blocks.Add((Words(value), []));
                skipping = false;
            }
            else if (key.Equals("Match", StringComparison.OrdinalIgnoreCase))
            {
                skipping = true;
            }
            else if (!skipping)
            {
                blocks[^1].Lines.Add((key, value));
            }
        }
        return new SshConfig(blocks);
    }

    /// <summary>The settings for a host as written on the command line (an alias or a real name).</summary>
    public SshHostSettings For(string host)
    {
        string? hostName = null, user = null;
        int? port = null;
        bool? identitiesOnly = null;
        var identities = new List<string>();
        foreach (var (patterns, lines) in blocks)
        {
            if (!Matches(patterns, host))
            {
                continue;
            }
            foreach (var (key, value) in lines)
            {
                var first = Words(value).FirstOrDefault() ?? "";
                switch (key.ToLowerInvariant())
                {
                    case "hostname":
                        hostName ??= first;
                        break;
                    case "user":
                        user ??= first;
                        break;
                    case "port" when port is null && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var number):
                        port = number;
                        break;
                    case "identityfile":
                        identities.Add(first);
                        break;
                    case "identitiesonly":
                        identitiesOnly ??= first.Equals("yes", StringComparison.OrdinalIgnoreCase);
                        break;
                }
            }
        }
        return new SshHostSettings(hostName?.Replace("%h", host, StringComparison.Ordinal), user, port, identities, identitiesOnly ?? false);
    }

    /// <summary>Whether a host matches a <c>Host</c> line: some pattern matches and no negated one does.</summary>
    public static bool Matches(IEnumerable<string> patterns, string host)
    {
        var matched = false;
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith('!'))
            {
                if (Wildcard(pattern[1..], host))
                {
                    return false;
                }
            }
            else if (Wildcard(pattern, host))
            {
                matched = true;
            }
        }
        return matched;
    }

    /// <summary>OpenSSH's pattern match: <c>*</c> any run of characters, <c>?</c> one; letters compared without case.</summary>
    public static bool Wildcard(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary><c>Key value</c>, <c>Key=value</c> or <c>Key = value</c>.</summary>
    private static (string Key, string Value) KeyAndValue(string line)
    {
        var end = 0;
        while (end < line.Length && !char.IsWhiteSpace(line[end]) && line[end] != '=')
        {
            end++;
        }
        var rest = line[end..].TrimStart();
        if (rest.StartsWith('='))
        {
            rest = rest[1..].TrimStart();
        }
        return (line[..end], rest);
    }

    /// <summary>Words separated by blanks; a word in double quotes may hold blanks.</summary>
    private static string[] Words(string value)
    {
        var words = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            if (char.IsWhiteSpace(value[i]))
            {
                i++;
                continue;
            }
            if (value[i] == '"')
            {
                var close = value.IndexOf('"', i + 1);
                var end = close < 0 ? value.Length : close;
                words.Add(value[(i + 1)..end]);
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < value.Length && !char.IsWhiteSpace(value[i]))
            {
                i++;
            }
            words.Add(value[start..i]);
        }
        return [.. words];
    }
}
