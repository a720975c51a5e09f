using System.Diagnostics;
using Reconcile.Shell.Common;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests;

/// <summary>
/// LanguageExt.Core 3.4.13 holds reflection that Native AOT cannot honour: equality, ordering, hashing
/// and printing built from a type's fields at run time (<c>LanguageExt.IL</c>, <c>Reflect</c>,
/// <c>TypeInfoAllMemberExtensions</c>), and the search of the loaded assemblies for type-class
/// instances (<c>ClassInstancesAssembly</c>, <c>Class&lt;A&gt;</c>, which the default <c>Eq</c>, <c>Ord</c>
/// and <c>Hashable</c> instances of <c>Seq</c>, <c>Option</c>, <c>Map</c> and the rest start). The
/// native build compiles that code because the library can reach it; these tests show the program never
/// runs it. The runtime compiles every method of the library (it has no precompiled code) the first
/// time it runs, and can list what it compiled: every command, in each of its modes, runs the built
/// program with that list on, and none of those methods may be in it.
/// </summary>
public sealed class LanguageExtReflectionTests : IDisposable
{
    /// <summary>The classes whose methods the native build's trim and AOT analysis warns about.</summary>
    private static readonly string[] ReflectionBased =
    [
        "LanguageExt.IL:",
        "LanguageExt.IL+",
        "LanguageExt.Reflect:",
        "LanguageExt.TypeInfoAllMemberExtensions",
        "LanguageExt.ClassInstances.ClassInstancesAssembly",
        "LanguageExt.ClassInstances.Class`1",
        // Type classes: a native build cannot load LanguageExt.TypeClass (a query over Either reaches it).
        "LanguageExt.TypeClass",
    ];

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void FilesRunsNeverRunLanguageExtsReflection()
    {
        var source = temp.CopySample("files/source", "source");
        var dest = temp.CopySample("files/dest", "dest");
        var plan = temp.Combine("plan.json");
        var compiled = CompiledIn(
            ["files", "-n", "--format", "json", "--no-cache", source, dest],
            ["files", "-n", "--plan-out", plan, "--cache-dir", temp.Combine("cache"), source, dest],
            ["apply", plan],
            ["files", "--check", "--checksum", "--cache-dir", temp.Combine("cache"), source, dest],
            ["files", "--checksum", "--no-cache", "--exclude", "*.tmp", "--backup-dir", temp.Combine("backup"), source, temp.Combine("new")],
            ["files", "--max-delete", "0", source, temp.CopySample("files/dest", "dest2")],
            ["files", "one.example:/a", "two.example:/b"],
            ["files", source, "sftp://127.0.0.1:1/nothing-listens-here"],
            ["files", source]);

        AssertNoneIsReflectionBased(compiled);
    }

    [Fact]
    public void StockRunsNeverRunLanguageExtsReflection()
    {
        var state = temp.CopySample("stock/state", "state");
        var other = temp.CopySample("stock/state", "other");
        var feed = Path.Combine(Samples.Root, "stock", "feed.csv");
        var plan = temp.Combine("plan.json");
        var compiled = CompiledIn(
            ["stock", "-n", "--format", "json", feed, state],
            ["stock", Path.Combine(Samples.Root, "stock", "bad-feed.csv"), state],
            ["stock", "--max-remove", "0", feed, state],
            ["stock", "-n", "--plan-out", plan, feed, state],
            ["apply", plan],
            ["allocate", Path.Combine(Samples.Root, "stock", "orders.csv"), state],
            ["stock", "--check", "--mode", "partial", feed, other]);

        AssertNoneIsReflectionBased(compiled);
    }

    [Fact]
    public void DatabaseStoreRunsNeverRunLanguageExtsReflection()
    {
        var state = temp.CopySample("stock/state", "state");
        var database = "sqlite:" + temp.Combine("stock.db");
        var feed = Path.Combine(Samples.Root, "stock", "feed.csv");
        var plan = temp.Combine("plan.json");
        var compiled = CompiledIn(
            ["store", "init", "sqlite:" + temp.Combine("empty.db")],
            ["store", "copy", state, database],
            ["stock", "-n", "--format", "json", feed, database],
            ["stock", "-n", "--plan-out", plan, feed, database],
            ["apply", plan],
            ["allocate", Path.Combine(Samples.Root, "stock", "orders.csv"), database],
            ["store", "copy", database, temp.Combine("back")]);

        AssertNoneIsReflectionBased(compiled);
    }

    private static void AssertNoneIsReflectionBased(List<string> compiled)
    {
        // The list is real: the library's sequences are in it, and so would its reflection be (comparing
        // two sequences of strings, for one, puts ClassInstancesAssembly's methods in it).
        Assert.Contains(compiled, m => m.StartsWith("LanguageExt.Seq`1", StringComparison.Ordinal));
        Assert.DoesNotContain(compiled, m => ReflectionBased.Any(r => m.StartsWith(r, StringComparison.Ordinal)));
    }

    /// <summary>The LanguageExt methods the runtime compiled while the built program ran these commands.</summary>
    private List<string> CompiledIn(params string[][] runs)
    {
        var compiled = new List<string>();
        for (var i = 0; i < runs.Length; i++)
        {
            var list = temp.Combine($"compiled-{i}.txt");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { ExeRun.Dll }.Concat(runs[i]))
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["DOTNET_JitStdOutFile"] = list;
            start.Environment["DOTNET_JitDisasmSummary"] = "1";
            start.Environment["XDG_CACHE_HOME"] = temp.Combine("xdg");
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode is ExitCodes.Done or ExitCodes.ChangesPending or ExitCodes.BadInput or ExitCodes.Refused, $"{string.Join(' ', runs[i])}: exit {process.ExitCode}\n{stderr.Result}");
            compiled.AddRange(File.ReadLines(list)
                .Select(l => l.IndexOf("JIT compiled ", StringComparison.Ordinal) is var at and >= 0 ? l[(at + 13)..] : "")
                .Where(m => m.StartsWith("LanguageExt.", StringComparison.Ordinal)));
        }
        return compiled;
    }
}
