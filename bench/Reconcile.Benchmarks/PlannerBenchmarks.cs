using BenchmarkDotNet.Attributes;
using LanguageExt;
using Reconcile.Core.Files;
using Reconcile.Core.Stock;

namespace Reconcile.Benchmarks;

/// <summary>
/// FilePlanner on a 1,000,000-file tree whose mirror differs by 1% modified, renamed, deleted and added;
/// with <see cref="DirectoryMetadata"/>, every directory also carries its bits, owner and time (as a
/// native scan gives them), so the plan ends with the directories whose entries changed.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FilePlannerBenchmark
{
    private FileTree source = FileTree.Empty;
    private FileTree dest = FileTree.Empty;

    [Params(false, true)]
    public bool DirectoryMetadata { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int n = 1_000_000;
        var random = new Random(1);
        var time = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var src = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var dst = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var path = $"d{i / 3000:000}/s{i / 100 % 30:00}/f{i:0000000}";
            var entry = new FileEntry(1000 + (i % 5000), time.AddSeconds(i), 0x1A4, new ContentHash((ulong)i, 1, 2, 3));
            src[path] = entry;
            dst[path] = entry;
        }
        for (var i = 0; i < n / 100; i++)
        {
            var modified = $"d{i / 30:000}/s{i % 30:00}/f{(i * 97) % n:0000000}";
            if (src.TryGetValue(modified, out var m))
            {
                src[modified] = m with { ModifiedUtc = m.ModifiedUtc.AddDays(1), Hash = new ContentHash(9, (ulong)i, 9, 9) };
            }
            var renamed = $"d{i / 30:000}/s{i % 30:00}/f{(i * 89 + 1) % n:0000000}";
            if (src.Remove(renamed, out var r))
            {
                src[renamed + ".renamed"] = r;
            }
            src.Remove($"d{i / 30:000}/s{i % 30:00}/f{(i * 83 + 2) % n:0000000}");
            src[$"d{i / 30:000}/s{i % 30:00}/added{i}"] = new FileEntry(77, time, 0x1A4, new ContentHash(7, (ulong)i, 7, 7));
        }
        source = new FileTree(src, new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        dest = new FileTree(dst, new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal));
        if (DirectoryMetadata)
        {
            var metas = FileTrees.AllDirectories(source).Append("")
                .ToDictionary(d => d, _ => new FileMeta(time, 0x1ED), StringComparer.Ordinal);
            source = source with { DirectoryMeta = metas };
            dest = dest with { DirectoryMeta = metas };
        }
    }

    [Benchmark]
    public int Plan() => FilePlanner.Plan(source, dest, FilePlanOptions.Default).Count;

    [Benchmark]
    public int PathsToHash() => FilePlanner.PathsToHash(source, dest, FilePlanOptions.Default).Source.Count;
}

/// <summary>StockPlanner on 1,000,000 batches and 500,000 allocations, with a feed that differs by 1%.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StockPlannerBenchmark
{
    private Seq<Batch> feed;
    private StockState state = new(Seq<Batch>.Empty, Seq<Allocation>.Empty, Seq<OrderLine>.Empty);

    [GlobalSetup]
    public void Setup()
    {
        const int n = 1_000_000;
        var random = new Random(42);
        var day = new DateOnly(2026, 1, 1);
        var batches = new Batch[n];
        for (var i = 0; i < n; i++)
        {
            batches[i] = new Batch($"b{i:00000000}", $"SKU-{i / 5:0000000}", random.Next(20, 101), random.Next(2) == 0 ? null : day.AddDays(random.Next(365)));
        }
        var allocations = new Allocation[n / 2];
        for (var j = 0; j < allocations.Length; j++)
        {
            var b = batches[j * 2 % n];
            allocations[j] = new Allocation($"o{j:00000000}", b.Sku, random.Next(1, 6), b.Ref);
        }
        var changed = (Batch[])batches.Clone();
        for (var k = 0; k < n / 200; k++)
        {
            var i = random.Next(n);
            changed[i] = changed[i] with { Qty = random.Next(0, 101) };
        }
        var kept = changed.Where((_, i) => i % 400 != 7).ToList();
        for (var k = 0; k < n / 400; k++)
        {
            kept.Add(new Batch($"n{k:00000000}", $"SKU-{random.Next(n / 5):0000000}", random.Next(20, 101), null));
        }
        feed = kept.ToSeq().Strict();
        state = new StockState(batches.ToSeq().Strict(), allocations.ToSeq().Strict(), Seq<OrderLine>.Empty);
    }

    [Benchmark]
    public int Plan() => StockPlanner.Plan(feed, state, StockMode.Full).Count;
}
