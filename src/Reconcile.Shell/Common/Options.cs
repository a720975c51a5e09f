using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Reconcile.Shell.Common;

public enum OutputFormat
{
    Text,
    Json,
}

/// <summary>Options that every command shares, spelled the same everywhere.</summary>
public static class Options
{
    public static Option<string> Format()
    {
        var option = new Option<string>("--format")
        {
            Description = "How to print the plan: text (one line per action) or json (one document).",
            DefaultValueFactory = _ => "text",
            HelpName = "text|json",
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    public static OutputFormat FormatOf(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) == "json" ? OutputFormat.Json : OutputFormat.Text;

    /// <summary>
    /// A path given as an argument. An empty one is bad usage, named: it is what an unset shell variable
    /// gives (<c>reconcile files "$SRC" /mnt/mirror</c>), never a path the user meant.
    /// </summary>
    public static Argument<string> Path(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result => RefuseEmpty(result, name));
        return argument;
    }

    /// <summary>An option that names a path; an empty one is bad usage, named, as for arguments.</summary>
    public static Option<string?> PathOption(string name, string description, string helpName)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result => RefuseEmpty(result, name));
        return option;
    }

    /// <summary>A limit such as <c>--max-delete N</c>: a whole number of 0 or more, in digits only.</summary>
    public static Option<int?> Count(string name, string description, string helpName = "N")
    {
        return new Option<int?>(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    return count;
                }
                result.AddError($"{name} takes a whole number of 0 or more, not '{text}'");
                return null;
            },
        };
    }

    /// <summary>A whole number of seconds, negative allowed (rsync's <c>--modify-window</c>).</summary>
    public static Option<int> Seconds(string name, string description)
    {
        return new Option<int>(name)
        {
            Description = description,
            HelpName = "SECONDS",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
                {
                    return seconds;
                }
                result.AddError($"{name} takes a whole number of seconds, not '{text}'");
                return 0;
            },
        };
    }

    private static void RefuseEmpty(SymbolResult result, string name)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.Length == 0)
            {
                result.AddError($"{name} is an empty path (is a variable unset?)");
                return;
            }
        }
    }
}
