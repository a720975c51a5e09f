using Reconcile.Shell;

return Cli.Run(args, Console.Out, Console.Error);
