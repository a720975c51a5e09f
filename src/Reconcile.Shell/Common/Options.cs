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
    public static Option<OutputFormat> Format() => new("--format")
    {
        Description = "How to print the plan: text (one line per action) or json (one document).",
        DefaultValueFactory = _ => OutputFormat.Text,
        HelpName = "text|json",
    };
}
