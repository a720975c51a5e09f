using System.CommandLine;

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
}
