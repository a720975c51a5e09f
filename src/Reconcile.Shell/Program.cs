using Reconcile.Shell;
using Reconcile.Shell.Common;

StageClock.Mark("started");
var terminal = Terminal.OfThisProcess();
using var stdout = terminal.ColorOut ? new PaintingWriter(Console.Out, terminal) : Console.Out;
var code = Cli.Run(args, stdout, Console.Error, terminal);
StageClock.Mark("done");
StageClock.Report();
return code;
