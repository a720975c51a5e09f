using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Reconcile.Shell.Common;

/// <summary>
/// The standard help, followed by the examples of the command asked about. The examples are kept out
/// of the commands' descriptions so that the root help's list of commands stays one short entry each.
/// </summary>
public sealed class HelpWithExamples(SynchronousCommandLineAction standard, TextWriter output, IReadOnlyDictionary<string, string> examples)
    : SynchronousCommandLineAction
{
    public static void Attach(RootCommand root, TextWriter output, IReadOnlyDictionary<string, string> examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard)
        {
            help.Action = new HelpWithExamples(standard, output, examples);
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        var code = standard.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command.Name, out var text))
        {
            output.WriteLine(text);
        }
        return code;
    }
}
