using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Reconcile.Benchmarks.FilePlannerBenchmark).Assembly).Run(args);
