using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>One instruction for building a pair of trees; small lists of them shrink well.</summary>
public readonly record struct TreeOp(int Kind, int Path, int Content, int Other)
{
    public override string ToString() => $"{(TreeOpKind)Kind}({FileGens.PathOf(Path)}, #{Content}, #{Other})";
}

public enum TreeOpKind
{
    SourceFile,
    DestFile,
    SameFile,
    ChangedFile,
    Swap,
    SourceDir,
    DestDir,
    FileOverDir,
    DirOverFile,
    Rotate,
}

/// <summary>A pair of trees built from ops; the ops are kept so that a failing case shrinks to few of them.</summary>
public sealed record TreePair(TreeOp[] Ops, FileTree Source, FileTree Dest)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(", ", Ops));
        text.AppendLine("source:");
        FileGens.Describe(Source, text);
        text.AppendLine("dest:");
        FileGens.Describe(Dest, text);
        return text.ToString();
    }
}

public static class FileGens
{
    // Few names and shallow depth, so that generated paths collide often: shared paths, file/directory
    // clashes, case-only differences, and names with spaces and non-ASCII letters.
    private static readonly string[] Names = ["a", "b", "A", "é z"];

    private static readonly string[] Paths = BuildPaths();

    public static Arbitrary<TreePair> TreePairs { get; } = Arb.From(
        Gen.Sized(size => Gen.ArrayOf(Op, Math.Min(size, 24) + 1)).Select(Build),
        pair => ShrinkOps(pair.Ops).Select(Build));

    private static Gen<TreeOp> Op =>
        from kind in Gen.Choose(0, Enum.GetValues<TreeOpKind>().Length - 1)
        from path in Gen.Choose(0, Paths.Length - 1)
        from content in Gen.Choose(0, 7)
        from other in Gen.Choose(0, 7)
        select new TreeOp(kind, path, content, other);

    public static string PathOf(int index) => Paths[index % Paths.Length];

    /// <summary>
    /// Content ids map to sizes that collide (same size, other bytes) and to modification times that
    /// differ between contents, so the quick check (size and time) never mistakes one content for another.
    /// Id 0 is the empty file.
    /// </summary>
    public static FileEntry Entry(int content, int variant = 0)
    {
        var size = content == 0 ? 0 : 1 + (content % 3) * 10;
        var hash = new ContentHash((ulong)content * 7919, 1, 2, 3);
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(content * 10 + variant);
        return new FileEntry(size, time, variant % 2 == 0 ? 420 : 493, hash);
    }

    public static TreePair Build(TreeOp[] ops)
    {
        var source = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var dest = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var sourceDirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var destDirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            var path = PathOf(op.Path);
            var next = PathOf(op.Path + 1);
            switch ((TreeOpKind)op.Kind)
            {
                case TreeOpKind.SourceFile:
                    Put(source, sourceDirs, path, Entry(op.Content, op.Other));
                    break;
                case TreeOpKind.DestFile:
                    Put(dest, destDirs, path, Entry(op.Content, op.Other));
                    break;
                case TreeOpKind.SameFile:
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(dest, destDirs, path, Entry(op.Content, op.Other % 3 == 0 ? 1 : 0));
                    break;
                case TreeOpKind.ChangedFile:
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(dest, destDirs, path, Entry(op.Other));
                    break;
                case TreeOpKind.Swap:
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(source, sourceDirs, next, Entry(op.Other));
                    Put(dest, destDirs, path, Entry(op.Other));
                    Put(dest, destDirs, next, Entry(op.Content));
                    break;
                case TreeOpKind.Rotate:
                    var third = PathOf(op.Path + 2);
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(source, sourceDirs, next, Entry(op.Other));
                    Put(source, sourceDirs, third, Entry(op.Content + op.Other + 1));
                    Put(dest, destDirs, next, Entry(op.Content));
                    Put(dest, destDirs, third, Entry(op.Other));
                    Put(dest, destDirs, path, Entry(op.Content + op.Other + 1));
                    break;
                case TreeOpKind.SourceDir:
                    PutDir(source, sourceDirs, path);
                    break;
                case TreeOpKind.DestDir:
                    PutDir(dest, destDirs, path);
                    break;
                case TreeOpKind.FileOverDir:
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(dest, destDirs, path + "/" + Names[op.Other % Names.Length], Entry(op.Content));
                    break;
                case TreeOpKind.DirOverFile:
                    Put(source, sourceDirs, path + "/" + Names[op.Other % Names.Length], Entry(op.Content));
                    Put(dest, destDirs, path, Entry(op.Other));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(ops));
            }
        }
        return new TreePair(ops, new FileTree(source, sourceDirs), new FileTree(dest, destDirs));
    }

    public static void Describe(FileTree tree, StringBuilder text)
    {
        foreach (var (path, entry) in tree.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  {path}  size={entry.Size} hash={entry.Hash?.A} time={entry.ModifiedUtc:HH:mm:ss} mode={entry.Mode}");
        }
        foreach (var dir in tree.Directories.Order(StringComparer.Ordinal))
        {
            text.AppendLine($"  {dir}/");
        }
    }

    /// <summary>Places a file, first removing whatever would clash with it (a file above, anything below).</summary>
    private static void Put(Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, string path, FileEntry entry)
    {
        Clear(files, dirs, path);
        files[path] = entry;
    }

    private static void PutDir(Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, string path)
    {
        if (dirs.Contains(path))
        {
            return;
        }
        Clear(files, dirs, path);
        dirs.Add(path);
    }

    private static void Clear(Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, string path)
    {
        files.Remove(path);
        dirs.Remove(path);
        for (var parent = FileTrees.Parent(path); parent.Length > 0; parent = FileTrees.Parent(parent))
        {
            files.Remove(parent);
        }
        foreach (var below in files.Keys.Where(p => FileTrees.IsBelow(p, path)).ToList())
        {
            files.Remove(below);
        }
        dirs.RemoveWhere(d => FileTrees.IsBelow(d, path));
    }

    private static IEnumerable<TreeOp[]> ShrinkOps(TreeOp[] ops)
    {
        for (var i = 0; i < ops.Length; i++)
        {
            yield return [.. ops[..i], .. ops[(i + 1)..]];
        }
        for (var i = 0; i < ops.Length; i++)
        {
            if (ops[i].Path > 0)
            {
                var simpler = ops.ToArray();
                simpler[i] = ops[i] with { Path = 0 };
                yield return simpler;
            }
        }
    }

    private static string[] BuildPaths()
    {
        var paths = new List<string>();
        var level = Names.ToList();
        for (var depth = 0; depth < 3; depth++)
        {
            paths.AddRange(level);
            level = [.. level.SelectMany(p => Names.Select(n => p + "/" + n))];
        }
        return [.. paths];
    }
}
