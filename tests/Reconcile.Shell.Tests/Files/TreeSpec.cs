using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reconcile.Core.Files;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// One entry of a tree to build with the system's own tools. <see cref="Kind"/> is find's letter: f
/// (regular file, <see cref="Data"/> its text), d, l (<see cref="Data"/> the target), p (FIFO), s
/// (socket), c or b (device, <see cref="Data"/> "major minor").
/// </summary>
public sealed record SpecEntry(string Path, char Kind, string Data, int Mode, int Uid, int Gid, long TimeNs);

/// <summary>
/// A tree described as entries, built on disk by one shell script (mkdir, printf, ln -s, mkfifo, mknod,
/// then chown -h, chmod and touch -h deepest first, so that every directory keeps the time it is
/// given), and listed back by <c>find -printf</c>: what rsync and reconcile are compared by.
/// </summary>
public static class TreeSpec
{
    public const long Base = 1_600_000_000L * 1_000_000_000;

    public static void Build(string root, IEnumerable<SpecEntry> entries, bool owners)
    {
        var sorted = entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var make = new StringBuilder("set -e\n");
        make.Append("mkdir -p ").Append(Quote(root)).Append('\n');
        foreach (var e in sorted.Where(e => e.Path.Length > 0))
        {
            var full = Quote(root + "/" + e.Path);
            make.Append(e.Kind switch
            {
                'f' => $"printf %s {Quote(e.Data)} > {full}\n",
                'd' => $"mkdir {full}\n",
                'l' => $"ln -s {Quote(e.Data)} {full}\n",
                'p' => $"mkfifo {full}\n",
                'c' or 'b' => $"mknod {full} {e.Kind} {e.Data}\n",
                's' => "",
                _ => throw new ArgumentOutOfRangeException(nameof(entries), e.Kind, "unknown kind"),
            });
        }
        RunScript(make.ToString());
        // No shell tool makes a socket file (and .NET removes the one a socket binds when it closes it).
        foreach (var e in sorted.Where(e => e.Kind == 's'))
        {
            NativeFiles.MakeNode(root + "/" + e.Path, EntryKind.Socket, 0);
        }
        var meta = new StringBuilder("set -e\n");
        foreach (var e in Enumerable.Reverse(sorted))
        {
            var full = Quote(e.Path.Length == 0 ? root : root + "/" + e.Path);
            if (owners)
            {
                meta.Append(CultureInfo.InvariantCulture, $"chown -h {e.Uid}:{e.Gid} {full}\n");
            }
            if (e.Kind != 'l')
            {
                meta.Append(CultureInfo.InvariantCulture, $"chmod {Convert.ToString(e.Mode, 8)} {full}\n");
            }
            meta.Append(CultureInfo.InvariantCulture, $"touch -h -d @{e.TimeNs / 1_000_000_000}.{e.TimeNs % 1_000_000_000:D9} {full}\n");
        }
        RunScript(meta.ToString());
    }

    /// <summary>
    /// Every entry as <c>find -printf '%P %y %s %m %U:%G %T@ %l'</c> prints it (a directory's size left
    /// out: it tells how the file system stores the directory, not what it holds), plus a regular file's
    /// SHA-256 and a device's major and minor numbers, in ordinal order. Names and link targets are
    /// compared as the bytes find prints (NUL-separated), decoded without loss (<see cref="NameBytes"/>),
    /// and files are read by those bytes.
    /// </summary>
    public static List<string> Listing(string root)
    {
        var found = Command.MustRunForBytes("find", root, "-printf", "%P\\0%y %s %m %U:%G %T@ %l\\0");
        var fields = new List<string>();
        for (var start = 0; start < found.Length;)
        {
            var end = Array.IndexOf(found, (byte)0, start);
            end = end < 0 ? found.Length : end;
            fields.Add(NameBytes.Decode(found.AsSpan(start, end - start)));
            start = end + 1;
        }
        var lines = new List<string>();
        for (var i = 0; i + 1 < fields.Count; i += 2)
        {
            var (path, facts) = (fields[i], fields[i + 1]);
            var full = path.Length == 0 ? root : Path.Combine(root, path);
            var kind = facts[0];
            var extra = kind switch
            {
                'f' => " sha256=" + Sha256Of(full),
                'c' or 'b' => " dev=" + (NativeFiles.TryStat(full, out var stat) ? $"{DeviceNumbers.Major(stat.Device):x}:{DeviceNumbers.Minor(stat.Device):x}" : "?"),
                _ => "",
            };
            if (kind == 'd')
            {
                var parts = facts.Split(' ', 3);
                facts = $"{parts[0]} - {parts[2]}";
            }
            lines.Add(Escape(path) + " " + facts + extra);
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string Sha256Of(string path)
    {
        using var file = new FileStream(NativeFiles.OpenRegularFile(path), FileAccess.Read);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Bash's <c>$'…'</c> quoting of every character but letters and digits, so any name survives the script.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder("$'");
        foreach (var b in NameBytes.Encode(text))
        {
            quoted.Append(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'/' or (byte)'.' or (byte)'-' or (byte)'_'
                ? ((char)b).ToString()
                : $"\\x{b:x2}");
        }
        return quoted.Append('\'').ToString();
    }

    private static string Escape(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\x{(int)c:x2}" : c.ToString()));

    private static void RunScript(string script)
    {
        var (exit, _, stderr) = Command.Run("bash", "-c", script);
        Assert.True(exit == 0, $"building a tree failed: {stderr}\n{script}");
    }
}

/// <summary>
/// Random trees and random changes to them, from a seed: every kind of entry the run can make, names
/// that collide, and changes of content, name, kind, target, bits, owner and time.
/// </summary>
public sealed class SpecGenerator(int seed, bool owners, bool devices)
{
    /// <summary>Names that collide often; one of them is not UTF-8 (0xFF), one is the U+FFFD a lossy decoding would make of it.</summary>
    private static readonly string[] Names = ["a", "b", "c.txt", "D", "é", "sp ace", "f" + NameBytes.Decode([0xFF]), "f\uFFFD"];

    private readonly Random random = new(seed);

    /// <summary>Only bits that let every user read files and enter directories (for a run as another user).</summary>
    public bool ReadableByAll { get; init; }

    public List<SpecEntry> Tree(int count)
    {
        var entries = new Dictionary<string, SpecEntry>(StringComparer.Ordinal) { [""] = Directory("", 0b111_101_101) };
        for (var i = 0; i < count; i++)
        {
            var parents = entries.Values.Where(e => e.Kind == 'd').Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
            var parent = parents[random.Next(parents.Count)];
            if (parent.Count(c => c == '/') >= 2)
            {
                continue;
            }
            var path = (parent.Length == 0 ? "" : parent + "/") + Names[random.Next(Names.Length)];
            if (!entries.ContainsKey(path))
            {
                entries[path] = Entry(path);
            }
        }
        return [.. entries.Values];
    }

    /// <summary>A few changes, each of one kind: what a user does to SOURCE between two runs.</summary>
    public List<SpecEntry> Mutate(List<SpecEntry> tree, int changes)
    {
        var entries = tree.ToDictionary(e => e.Path, StringComparer.Ordinal);
        for (var i = 0; i < changes; i++)
        {
            var paths = entries.Keys.Where(p => p.Length > 0).Order(StringComparer.Ordinal).ToList();
            if (paths.Count == 0)
            {
                break;
            }
            var path = paths[random.Next(paths.Count)];
            var e = entries[path];
            switch (random.Next(8))
            {
                case 0 when e.Kind == 'f':
                    entries[path] = e with { Data = e.Data + "!", TimeNs = e.TimeNs + 7_000_000_123 };
                    break;
                case 1 when e.Kind != 'd':
                    var to = FileNameSibling(path);
                    if (!entries.ContainsKey(to))
                    {
                        entries.Remove(path);
                        entries[to] = e with { Path = to };
                    }
                    break;
                case 2 when e.Kind != 'l':
                    entries[path] = e with { Mode = Mode(e.Kind) };
                    break;
                case 3:
                    entries[path] = e with { Uid = 1000 + random.Next(3), Gid = 2000 + random.Next(3) };
                    break;
                case 4:
                    entries[path] = e with { TimeNs = e.TimeNs + random.Next(1, 5) * 1_000_000_000L + random.Next(1_000_000) };
                    break;
                case 5 when e.Kind == 'l':
                    entries[path] = e with { Data = e.Data + "2" };
                    break;
                default:
                    foreach (var below in entries.Keys.Where(p => p.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
                    {
                        entries.Remove(below);
                    }
                    entries[path] = Entry(path);
                    break;
            }
        }
        return [.. entries.Values];
    }

    private string FileNameSibling(string path)
    {
        var slash = path.LastIndexOf('/');
        return path[..(slash + 1)] + Names[random.Next(Names.Length)];
    }

    private SpecEntry Entry(string path)
    {
        var kinds = devices ? "ffffddllpsc" : "ffffddllps";
        var kind = kinds[random.Next(kinds.Length)];
        return kind switch
        {
            'd' => Directory(path, Mode('d')),
            'l' => Meta(path, 'l', random.Next(3) switch { 0 => "a", 1 => "/outside/x", _ => "../dangling" }, 0b111_111_111),
            'c' => Meta(path, 'c', $"1 {random.Next(3, 6)}", 0b110_100_100),
            _ => Meta(path, kind, kind == 'f' ? new string('x', random.Next(0, 40)) : "", Mode(kind)),
        };
    }

    private SpecEntry Directory(string path, int mode) => Meta(path, 'd', "", mode);

    private SpecEntry Meta(string path, char kind, string data, int mode) =>
        new(path, kind, data, mode, owners ? 1000 + random.Next(3) : 0, owners ? 2000 + random.Next(3) : 0, TreeSpec.Base + random.Next(0, 100) * 1_000_000_000L + random.Next(1_000_000_000));

    private int Mode(char kind)
    {
        int[] modes = (kind == 'd', ReadableByAll) switch
        {
            (true, false) => [0b111_101_101, 0b111_000_000, 0b101_101_101, 0b010_111_111_101, 0b001_111_111_111],
            (true, true) => [0b111_101_101, 0b010_111_111_101, 0b001_111_111_111],
            (false, false) => [0b110_100_100, 0b111_101_101, 0b100_000_000, 0, 0b100_111_101_101, 0b010_111_101_101],
            (false, true) => [0b110_100_100, 0b111_101_101, 0b100_111_101_101, 0b010_111_101_101, 0b110_110_110],
        };
        return modes[random.Next(modes.Length)];
    }
}
