using FsCheck.Xunit;
using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>Laws of the files planner over generated pairs of trees.</summary>
[Properties(Arbitrary = new[] { typeof(FileGens) })]
public class FilePlannerProperties
{
    private static readonly FilePlanOptions Checksum = new(Checksum: true);

    [ReconcileProperty]
    public void ApplyingThePlanMakesDestEqualSource(TreePair pair)
    {
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, Checksum);
        var after = Simulate(pair, plan);
        Assert.True(FileSimulator.SameTree(pair.Source, after, out var difference), difference + Show(plan));
    }

    [ReconcileProperty]
    public void ReplanningAfterApplyingIsEmpty(TreePair pair)
    {
        var after = Simulate(pair, FilePlanner.Plan(pair.Source, pair.Dest, Checksum));
        Assert.Empty(FilePlanner.Plan(pair.Source, after, Checksum));
        Assert.Empty(FilePlanner.Plan(pair.Source, after, FilePlanOptions.Default));
    }

    [ReconcileProperty]
    public void BytesToCopyIsTheSizeOfTheDistinctContentDestLacks(TreePair pair)
    {
        var inDest = pair.Dest.Files.Values.Where(e => e.IsRegular).Select(e => (e.Size, e.Hash)).ToHashSet();
        var lacking = pair.Source.Files.Values
            .Where(e => e.IsRegular)
            .Select(e => (e.Size, e.Hash))
            .Where(k => !inDest.Contains(k))
            .Distinct()
            .Sum(k => k.Size);
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, Checksum);
        Assert.Equal(lacking, FileSummary.Of(plan).BytesToCopy);
    }

    [ReconcileProperty]
    public void QuickCheckWithOnlyTheRequestedHashesNeverTransfersWhatDestHas(TreePair pair)
    {
        var request = FilePlanner.PathsToHash(pair.Source, pair.Dest, FilePlanOptions.Default);
        var source = KeepHashes(pair.Source, request.Source);
        var dest = KeepHashes(pair.Dest, request.Dest);
        var plan = FilePlanner.Plan(source, dest, FilePlanOptions.Default);
        var after = Simulate(pair, plan);
        Assert.True(FileSimulator.SameTree(pair.Source, after, out var difference), difference + Show(plan));
        // Without hashes, duplicates within SOURCE may each be transferred, and so may content that only
        // files kept at their path hold; but content that a DEST file the run may move holds never is:
        // every rename candidate was hashed.
        var inDest = pair.Dest.Files
            .Where(f => f.Value.IsRegular && !(pair.Source.Files.TryGetValue(f.Key, out var s) && s.IsRegular && s.Size == f.Value.Size && FileTime.Same(s.ModifiedNs, f.Value.ModifiedNs, 0)))
            .Select(f => (f.Value.Size, f.Value.Hash))
            .ToHashSet();
        foreach (var transfer in plan.Where(a => a is CopyFile or UpdateFile))
        {
            var path = transfer is CopyFile c ? c.Path : ((UpdateFile)transfer).Path;
            var entry = pair.Source.Files[path];
            Assert.True(entry.Size == 0 || !inDest.Contains((entry.Size, entry.Hash)), $"{path} is already in DEST" + Show(plan));
        }
    }

    [ReconcileProperty]
    public void PlanDoesNotDependOnTheOrderTheScannerListedFiles(TreePair pair)
    {
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, Checksum);
        var reversed = FilePlanner.Plan(Reversed(pair.Source), Reversed(pair.Dest), Checksum);
        Assert.Equal(plan.ToArray(), reversed.ToArray());
    }

    [ReconcileProperty]
    public void DeletionsComeAfterEveryTransferAndMove(TreePair pair)
    {
        var plan = FilePlanner.Plan(pair.Source, pair.Dest, Checksum).ToArray();
        var lastPlacement = Array.FindLastIndex(plan, a => a is CopyFile or UpdateFile or MoveFile or CopyLocal);
        // Deletes that make room (a file where a directory must be, a directory where a file must be)
        // come before the placement they serve; every other delete comes after all placements.
        var roomMaking = RoomMakingDeletes(pair, plan);
        for (var i = 0; i < lastPlacement; i++)
        {
            if (plan[i] is DeleteFile delete)
            {
                Assert.Contains(delete.Path, roomMaking);
            }
        }
    }

    private static System.Collections.Generic.HashSet<string> RoomMakingDeletes(TreePair pair, FileAction[] plan)
    {
        var sourceDirs = FileTrees.AllDirectories(pair.Source);
        return plan.OfType<DeleteFile>()
            .Select(d => d.Path)
            .Where(p => sourceDirs.Contains(p) || pair.Source.Files.Keys.Any(s => FileTrees.IsBelow(p, s)))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static FileTree Simulate(TreePair pair, Seq<FileAction> plan) =>
        FileSimulator.Apply(pair.Dest, plan, pair.Source)
            .Match(tree => tree, error => throw new Xunit.Sdk.XunitException(error + Show(plan)));

    private static FileTree KeepHashes(FileTree tree, Seq<string> paths)
    {
        var keep = paths.ToHashSet(StringComparer.Ordinal);
        var files = tree.Files.ToDictionary(
            f => f.Key,
            f => keep.Contains(f.Key) ? f.Value : f.Value with { Hash = null },
            StringComparer.Ordinal);
        return tree with { Files = files };
    }

    private static FileTree Reversed(FileTree tree) =>
        tree with
        {
            Files = tree.Files.Reverse().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            Directories = tree.Directories.Reverse().ToHashSet(StringComparer.Ordinal),
        };

    private static string Show(Seq<FileAction> plan) => "\nplan:\n  " + string.Join("\n  ", plan);
}
