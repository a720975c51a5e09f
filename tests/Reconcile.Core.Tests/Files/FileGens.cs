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
    SourceLink,
    DestLink,
    SameLink,
    LinkOverFile,
    FileOverLink,
    LinkOverDir,
    SourceNode,
    SameNode,
    NodeOverLink,
    DirMeta,
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

    /// <summary>A symbolic link whose target is named after <paramref name="content"/>; <paramref name="variant"/> changes its time and owner.</summary>
    public static FileEntry Link(int content, int variant = 0) =>
        FileEntry.Link(content % 2 == 0 ? "../t" + content : "/outside/t" + content, Time(content, variant), (uint)(variant % 3), 0);

    /// <summary>A FIFO, socket or device named by <paramref name="content"/>; <paramref name="variant"/> changes its metadata.</summary>
    public static FileEntry Node(int content, int variant = 0)
    {
        var kind = (content % 4) switch
        {
            0 => EntryKind.Fifo,
            1 => EntryKind.Socket,
            2 => EntryKind.CharDevice,
            _ => EntryKind.BlockDevice,
        };
        var device = kind is EntryKind.CharDevice or EntryKind.BlockDevice ? DeviceNumbers.Make((uint)content, (uint)variant % 2) : 0;
        return new FileEntry(0, Time(content, variant), variant % 2 == 0 ? 0b110_100_100 : 0b110_000_000, null, kind, (uint)(variant % 3), 0, null, device);
    }

    /// <summary>Directory metadata: setgid and sticky bits among the variants, and a time to the nanosecond.</summary>
    public static FileMeta DirectoryMeta(string path, int variant) =>
        new(Time(path.Length, variant) + 123_456_789, (variant % 4) switch
        {
            0 => 0b111_101_101,
            1 => 0b010_111_111_101,
            2 => 0b001_111_111_111,
            _ => 0b101_000_000,
        }, (uint)(variant % 2), (uint)(variant % 3));

    private static long Time(int content, int variant) =>
        FileTime.FromDateTime(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(content * 10 + variant)) + variant * 1_000;

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
        return new FileEntry(size, time, variant % 2 == 0 ? 420 : 493, hash) with { Owner = (uint)(variant % 3 / 2), Group = 0 };
    }

    public static TreePair Build(TreeOp[] ops)
    {
        var source = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var dest = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
        var sourceDirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var destDirs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var metaChanges = new Dictionary<string, int>(StringComparer.Ordinal);
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
                case TreeOpKind.SourceLink:
                    Put(source, sourceDirs, path, Link(op.Content, op.Other));
                    break;
                case TreeOpKind.DestLink:
                    Put(dest, destDirs, path, Link(op.Content, op.Other));
                    break;
                case TreeOpKind.SameLink:
                    Put(source, sourceDirs, path, Link(op.Content));
                    Put(dest, destDirs, path, op.Other % 2 == 0 ? Link(op.Content, op.Other) : Link(op.Other + 1));
                    break;
                case TreeOpKind.LinkOverFile:
                    Put(source, sourceDirs, path, Link(op.Content));
                    Put(dest, destDirs, path, Entry(op.Other));
                    break;
                case TreeOpKind.FileOverLink:
                    Put(source, sourceDirs, path, Entry(op.Content));
                    Put(dest, destDirs, path, Link(op.Other));
                    break;
                case TreeOpKind.LinkOverDir:
                    Put(source, sourceDirs, path, Link(op.Content));
                    Put(dest, destDirs, path + "/" + Names[op.Other % Names.Length], Link(op.Other));
                    break;
                case TreeOpKind.SourceNode:
                    Put(source, sourceDirs, path, Node(op.Content, op.Other));
                    break;
                case TreeOpKind.SameNode:
                    Put(source, sourceDirs, path, Node(op.Content));
                    Put(dest, destDirs, path, Node(op.Content, op.Other));
                    break;
                case TreeOpKind.NodeOverLink:
                    Put(source, sourceDirs, path, Node(op.Content, op.Other));
                    Put(dest, destDirs, path, Link(op.Content));
                    break;
                case TreeOpKind.DirMeta:
                    PutDir(source, sourceDirs, path);
                    PutDir(dest, destDirs, path);
                    metaChanges[path] = op.Other;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(ops));
            }
        }
        var sourceTree = new FileTree(source, sourceDirs);
        var destTree = new FileTree(dest, destDirs);
        // Every directory has its metadata on both sides (the root too); a DirMeta op makes one differ.
        return new TreePair(
            ops,
            sourceTree with { DirectoryMeta = DirectoryMetas(sourceTree, _ => 0) },
            destTree with { DirectoryMeta = DirectoryMetas(destTree, dir => metaChanges.TryGetValue(dir, out var v) ? v : 0) });
    }

    private static Dictionary<string, FileMeta> DirectoryMetas(FileTree tree, Func<string, int> variant) =>
        FileTrees.AllDirectories(tree).Append("").ToDictionary(d => d, d => DirectoryMeta(d, variant(d)), StringComparer.Ordinal);

    public static void Describe(FileTree tree, StringBuilder text)
    {
        foreach (var (path, entry) in tree.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  {path}  {entry.Kind} size={entry.Size} hash={entry.Hash?.A} time={FileTime.Format(entry.ModifiedNs)} mode={Convert.ToString(entry.Mode, 8)} owner={entry.Owner} -> {entry.LinkTarget} dev={entry.Device}");
        }
        foreach (var dir in tree.Directories.Order(StringComparer.Ordinal))
        {
            text.AppendLine($"  {dir}/");
        }
        foreach (var (dir, meta) in tree.DirectoryMeta.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  {dir}/ meta {FileTime.Format(meta.ModifiedNs)} {Convert.ToString(meta.Mode, 8)} {meta.Owner}:{meta.Group}");
        }
    }

    /// <summary>Places a file, first removing whatever would clash with it (a file above, anything below).</summary>
    private static void Put(Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, string path, FileEntry entry)
    {
        Clear(files, dirs, path);
        files[path] = entry;
    }

    /// <summary>Places a directory, unless it is there already (then what is below it stays).</summary>
    private static void PutDir(Dictionary<string, FileEntry> files, System.Collections.Generic.HashSet<string> dirs, string path)
    {
        if (!dirs.Contains(path))
        {
            Clear(files, dirs, path);
            dirs.Add(path);
        }
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
