using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

/// <summary>
/// The README's tour, run as a new user would run it: every <c>```console</c> block of README.md, in
/// order, through the built executable, in a scratch folder holding a copy of <c>samples/</c>. Each
/// <c>$ reconcile …</c> line must print exactly the lines under it (stdout, then stderr; column padding
/// aside) and exit 0, or the code named by a trailing <c># exits N</c>.
/// </summary>
public sealed partial class ReadmeTourTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void EveryCommandOfTheTourPrintsWhatTheReadmeShows()
    {
        temp.CopySample(".", "samples");
        var steps = Steps(File.ReadAllText(Path.Combine(Samples.Root, "..", "README.md")));
        Assert.True(steps.Count >= 8, $"the tour has only {steps.Count} commands");
        foreach (var step in steps)
        {
            var run = ExeRun.In(temp.Path, [.. step.Args]);
            var printed = PlanText.Lines(run.Stdout).Concat(PlanText.Lines(run.Stderr)).ToArray();
            Assert.True(step.ExitCode == run.ExitCode, $"$ {step.Command}\nexpected exit {step.ExitCode}\n{run}");
            Assert.True(step.Output.SequenceEqual(printed), $"$ {step.Command}\n--- README\n{string.Join('\n', step.Output)}\n--- printed\n{string.Join('\n', printed)}");
        }
    }

    private sealed record Step(string Command, IReadOnlyList<string> Args, int ExitCode, IReadOnlyList<string> Output);

    private static List<Step> Steps(string readme)
    {
        var steps = new List<Step>();
        foreach (Match block in ConsoleBlock().Matches(readme))
        {
            string? command = null;
            var output = new List<string>();
            foreach (var line in block.Groups[1].Value.Split('\n'))
            {
                if (line.StartsWith("$ ", StringComparison.Ordinal))
                {
                    Add();
                    command = line[2..];
                    output = [];
                }
                else if (line.Length > 0)
                {
                    output.Add(PlanText.Squeeze(line));
                }
            }
            Add();

            void Add()
            {
                if (command is not null)
                {
                    steps.Add(Parse(command, output));
                }
            }
        }
        return steps;
    }

    private static Step Parse(string command, List<string> output)
    {
        var exit = 0;
        var text = command;
        var comment = command.IndexOf(" # exits ", StringComparison.Ordinal);
        if (comment >= 0)
        {
            exit = int.Parse(command[(comment + " # exits ".Length)..].Trim(), CultureInfo.InvariantCulture);
            text = command[..comment];
        }
        var words = Words(text.Trim());
        Assert.True(words.Count > 0 && words[0] == "reconcile", $"a tour command must start with 'reconcile': {command}");
        return new Step(command, words.Skip(1).ToList(), exit, output);
    }

    /// <summary>Splits a command line on spaces, keeping single- or double-quoted words whole.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ' ')
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }
        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    [GeneratedRegex("```console\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();
}
