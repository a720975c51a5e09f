using System.Text;
using System.Text.RegularExpressions;
using LanguageExt;
using Reconcile.Core.Common;

namespace Reconcile.Core.Files;

/// <summary>
/// An exclude pattern with rsync's conventions: a pattern without '/' matches a name at any depth
/// (<c>*.tmp</c>); a pattern with '/' matches the whole relative path, and a leading '/' anchors it at
/// the root; a trailing '/' matches directories only. <c>*</c> and <c>?</c> stay within one name,
/// <c>**</c> crosses directories, <c>[abc]</c> is a character class.
/// </summary>
public sealed class PathGlob
{
    private readonly Regex regex;
    private readonly bool wholePath;
    private readonly bool directoriesOnly;

    private PathGlob(string pattern, Regex regex, bool wholePath, bool directoriesOnly)
    {
        Pattern = pattern;
        this.regex = regex;
        this.wholePath = wholePath;
        this.directoriesOnly = directoriesOnly;
    }

    public string Pattern { get; }

    /// <summary>A pattern the user gave (<c>--exclude</c>): bad input, as a value, when it is empty or matches nothing.</summary>
    public static Either<Problem, PathGlob> Read(string pattern) =>
        pattern.Trim('/').Length == 0
            ? Problem.BadInput($"--exclude {pattern}: exclude pattern '{pattern}' matches nothing")
            : Parse(pattern);

    /// <summary>A pattern known to be well formed; one that matches nothing is a programming error.</summary>
    public static PathGlob Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var body = pattern;
        var directoriesOnly = body.EndsWith('/');
        body = body.TrimEnd('/');
        var anchored = body.StartsWith('/');
        body = body.TrimStart('/');
        if (body.Length == 0)
        {
            throw new ArgumentException($"exclude pattern '{pattern}' matches nothing", nameof(pattern));
        }
        var wholePath = anchored || body.Contains('/', StringComparison.Ordinal);
        var regex = new Regex("^" + Translate(body) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        return new PathGlob(pattern, regex, wholePath, directoriesOnly);
    }

    /// <summary>Whether a relative path ('/' separators) is excluded by this pattern.</summary>
    public bool Matches(string relativePath, bool isDirectory)
    {
        if (directoriesOnly && !isDirectory)
        {
            return false;
        }
        return regex.IsMatch(wholePath ? relativePath : FileTrees.Name(relativePath));
    }

    public static bool AnyMatches(IReadOnlyList<PathGlob> globs, string relativePath, bool isDirectory)
    {
        foreach (var glob in globs)
        {
            if (glob.Matches(relativePath, isDirectory))
            {
                return true;
            }
        }
        return false;
    }

    private static string Translate(string glob)
    {
        var text = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    i++;
                    if (i + 1 < glob.Length && glob[i + 1] == '/')
                    {
                        // "**/" also matches no directory at all
                        i++;
                        text.Append("(?:.*/)?");
                    }
                    else
                    {
                        text.Append(".*");
                    }
                    break;
                case '*':
                    text.Append("[^/]*");
                    break;
                case '?':
                    text.Append("[^/]");
                    break;
                case '[':
                    // As in fnmatch: '!' or '^' first negates, and a ']' first (after it) is a member, not the end.
                    var first = i + 1 < glob.Length && glob[i + 1] is '!' or '^' ? i + 2 : i + 1;
                    var close = glob.IndexOf(']', Math.Min(first + 1, glob.Length));
                    if (close > i + 1 && first < close)
                    {
                        var members = glob[first..close].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal).Replace("^", "\\^", StringComparison.Ordinal);
                        text.Append('[').Append(first == i + 2 ? "^" : "").Append(members).Append(']');
                        i = close;
                    }
                    else
                    {
                        text.Append("\\[");
                    }
                    break;
                default:
                    text.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return text.ToString();
    }
}
