using System.Text;
using Reconcile.Shell;
using Reconcile.Shell.Common;

StageClock.Mark("started");
Warmup.Start(args);
var terminal = Terminal.OfThisProcess();
// Writers straight on the standard streams: Console.Out and Console.Error cost milliseconds to set up,
// a noticeable part of a short run. Standard output is buffered and flushed at the end; errors are not.
var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
using var stdoutStream = new StreamWriter(Console.OpenStandardOutput(), utf8, 1 << 16);
using var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
using TextWriter stdout = terminal.ColorOut ? new PaintingWriter(stdoutStream, terminal) : stdoutStream;
Interruption.Install(stderr);
var code = Cli.Run(args, stdout, stderr, terminal);
StageClock.Mark("done");
StageClock.Report();
Warmup.Settle();
return code;
