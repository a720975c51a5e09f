namespace Reconcile.Shell.Common;

/// <summary>
/// What the process's terminal allows: colour on stdout, and a live progress display on stderr. Both
/// are off unless the stream is a terminal, and colour is off whenever <c>NO_COLOR</c> is set
/// (https://no-color.org). Tests and redirected runs (cron) get <see cref="None"/>.
/// </summary>
public sealed record Terminal(bool ColorOut, bool ProgressErr)
{
    public static readonly Terminal None = new(false, false);

    public static Terminal OfThisProcess()
    {
        var dumb = string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new Terminal(
            ColorOut: !Console.IsOutputRedirected && !dumb && !noColor,
            ProgressErr: !Console.IsErrorRedirected && !dumb);
    }

    /// <summary>The first word of a plan line in the colour of its kind of action, when colour is on.</summary>
    public string Paint(string line)
    {
        if (!ColorOut)
        {
            return line;
        }
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? line : line[..space];
        var code = word switch
        {
            "copy" or "create_batch" or "allocate" or "mkdir" => "32",
            "update" or "change_quantity" or "change_eta" or "touch" => "33",
            "move" or "local_copy" or "stash" => "36",
            "delete" or "rmdir" or "remove_batch" or "deallocate" => "31",
            "out_of_stock" => "35",
            "summary:" => "1",
            _ => null,
        };
        return code is null ? line : $"\u001b[{code}m{word}\u001b[0m{line[word.Length..]}";
    }
}

/// <summary>
/// Standard output for a terminal: each line whose first word names an action (or the summary) gets that
/// word coloured. JSON lines never start with such a word, so JSON passes through unchanged.
/// </summary>
public sealed class PaintingWriter(TextWriter inner, Terminal terminal) : TextWriter
{
    private readonly System.Text.StringBuilder line = new();

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            inner.Write(terminal.Paint(line.ToString()));
            inner.Write('\n');
            line.Clear();
        }
        else
        {
            line.Append(value);
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void Flush()
    {
        inner.Write(line.ToString());
        line.Clear();
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }
        base.Dispose(disposing);
    }
}
