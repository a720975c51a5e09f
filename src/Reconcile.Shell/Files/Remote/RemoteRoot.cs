using System.Globalization;
using LanguageExt;
using Reconcile.Core.Common;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// A root on another machine, as written: <c>[user@]host:path</c> (rsync's form) or
/// <c>sftp://[user@]host[:port]/path</c>. <see cref="Host"/> may be an alias of <c>~/.ssh/config</c>;
/// <see cref="Path"/> is relative to the remote home unless it starts with <c>/</c> ("" is the home).
/// </summary>
public sealed record RemoteRoot(string? User, string Host, int? Port, string Path)
{
    /// <summary>
    /// The remote root a command-line root names, null for a local path, or the problem with it. As in
    /// rsync, a colon before the first slash makes a path remote, so <c>./a:b</c> and <c>/x/a:b</c> stay
    /// local.
    /// </summary>
    public static Either<Problem, Option<RemoteRoot>> Parse(string written, string role)
    {
        if (written.StartsWith("sftp://", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUrl(written, written["sftp://".Length..], role);
        }
        var colon = written.IndexOf(':', StringComparison.Ordinal);
        var slash = written.IndexOf('/', StringComparison.Ordinal);
        if (colon <= 0 || (slash >= 0 && slash < colon))
        {
            return Option<RemoteRoot>.None;
        }
        var (userHost, path) = (written[..colon], written[(colon + 1)..]);
        if (userHost.StartsWith('[') && written.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            // [::1]:path, an IPv6 address
            var afterClose = written.IndexOf(':', close);
            if (afterClose != close + 1)
            {
                return Bad(role, written, "an address in brackets must be followed by ':' and the path");
            }
            (userHost, path) = (written[1..close], written[(close + 2)..]);
        }
        return Split(userHost, role, written).Map(user => Option<RemoteRoot>.Some(new RemoteRoot(user.User, user.Host, null, path)));
    }

    private static Either<Problem, Option<RemoteRoot>> ParseUrl(string written, string rest, string role)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[slash..];
        // sftp://host/~/dir is relative to the home directory, as in curl and rclone.
        if (path == "/~" || path.StartsWith("/~/", StringComparison.Ordinal))
        {
            path = path.Length <= 3 ? "" : path[3..];
        }
        int? port = null;
        var portColon = authority.LastIndexOf(':');
        var bracket = authority.LastIndexOf(']');
        if (portColon > bracket && portColon >= 0)
        {
            var portText = authority[(portColon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                return Bad(role, written, $"'{portText}' is not a port number (1 to 65535)");
            }
            port = number;
            authority = authority[..portColon];
        }
        var at = authority.LastIndexOf('@');
        var hostPart = at < 0 ? authority : authority[(at + 1)..];
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']'))
        {
            authority = (at < 0 ? "" : authority[..(at + 1)]) + hostPart[1..^1];
        }
        return Split(Uri.UnescapeDataString(authority), role, written).Map(user => Option<RemoteRoot>.Some(new RemoteRoot(user.User, user.Host, port, Uri.UnescapeDataString(path))));
    }

    private static Either<Problem, (string? User, string Host)> Split(string userHost, string role, string written)
    {
        var at = userHost.LastIndexOf('@');
        var user = at < 0 ? null : userHost[..at];
        var host = at < 0 ? userHost : userHost[(at + 1)..];
        if (host.Length == 0)
        {
            return Problem.BadInput($"{role} {written}: no host name before the path");
        }
        if (user is { Length: 0 })
        {
            return Problem.BadInput($"{role} {written}: no user name before '@'");
        }
        if (host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || host.StartsWith('-'))
        {
            return Problem.BadInput($"{role} {written}: '{host}' is not a host name");
        }
        return (user, host);
    }

    private static Either<Problem, Option<RemoteRoot>> Bad(string role, string written, string why) =>
        Problem.BadInput($"{role} {written}: {why}");

    /// <summary>
    /// Both roots of a files run: at most one may be remote. The remote one, with whether it is DEST, or
    /// None when both are local.
    /// (Matched, not composed with a query: LanguageExt's <c>Either.SelectMany</c> goes through its type
    /// classes, which a native build cannot load.)
    /// </summary>
    public static Either<Problem, Option<(RemoteRoot Root, bool IsDest)>> OfRun(string source, string dest) =>
        Parse(source, "SOURCE").Match(
            Right: s => Parse(dest, "DEST").Match(
                Right: d => Choose(s, d, source, dest),
                Left: problem => problem),
            Left: problem => problem);

    private static Either<Problem, Option<(RemoteRoot Root, bool IsDest)>> Choose(Option<RemoteRoot> source, Option<RemoteRoot> dest, string sourceWritten, string destWritten)
    {
        if (source.IsSome && dest.IsSome)
        {
            return Problem.BadInput($"SOURCE {sourceWritten} and DEST {destWritten} are both remote; one of them must be a local directory");
        }
        return source.IsSome ? source.Map(root => (root, false)) : dest.Map(root => (root, true));
    }
}
