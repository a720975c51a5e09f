using Reconcile.Shell;
using Reconcile.Shell.Common;

var terminal = Terminal.OfThisProcess();
using var stdout = terminal.ColorOut ? new PaintingWriter(Console.Out, terminal) : Console.Out;
return Cli.Run(args, stdout, Console.Error, terminal);
