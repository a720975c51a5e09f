using System.CommandLine;

namespace Reconcile.Shell.Files;

public static class FilesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<string>("SOURCE") { Description = "The directory tree to mirror." };
        var dest = new Argument<string>("DEST") { Description = "The mirror directory." };
        var command = new Command("files", "Make DEST an exact one-way mirror of SOURCE.") { source, dest };
        command.SetAction(parse =>
        {
            stdout.WriteLine($"{parse.GetValue(source)} -> {parse.GetValue(dest)}");
            _ = stderr;
            return 0;
        });
        return command;
    }
}
