using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Reconcile.Core.Tests;

/// <summary>The functional core stays pure: it references only the base library and LanguageExt.Core.</summary>
public class ArchitectureTests
{
    private static readonly Assembly Core = typeof(Reconcile.Core.Files.FilePlanner).Assembly;

    private static readonly string[] ForbiddenTypes =
    [
        "System.Console",
        "System.Random",
        "System.IO.File",
        "System.IO.Directory",
        "System.IO.FileInfo",
        "System.IO.DirectoryInfo",
        "System.IO.FileSystemInfo",
        "System.IO.FileStream",
        "System.IO.StreamReader",
        "System.IO.StreamWriter",
        "System.IO.Path",
        "System.Diagnostics.Process",
        "System.Diagnostics.Stopwatch",
        "System.Threading.Thread",
        "System.Threading.Tasks.Task",
        "System.Threading.Tasks.Parallel",
        "System.TimeProvider",
    ];

    private static readonly string[] ForbiddenMembers =
    [
        "System.Environment.GetEnvironmentVariable",
        "System.Environment.GetEnvironmentVariables",
        "System.Environment.get_CurrentDirectory",
        "System.Environment.GetFolderPath",
        "System.Environment.get_TickCount",
        "System.Environment.get_TickCount64",
        "System.Environment.Exit",
        "System.DateTime.get_Now",
        "System.DateTime.get_UtcNow",
        "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now",
        "System.DateTimeOffset.get_UtcNow",
    ];

    [Fact]
    public void CoreReferencesOnlyTheBaseLibraryAndLanguageExt()
    {
        var names = Core.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        var others = names.Where(n => !(n == "LanguageExt.Core" || n == "netstandard" || n == "mscorlib" || n.StartsWith("System", StringComparison.Ordinal))).ToList();
        Assert.Empty(others);
        Assert.DoesNotContain(names, n => n.StartsWith("System.IO.Abstractions", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n == "System.Console");
    }

    [Fact]
    public void CoreNeverTouchesFilesystemConsoleClockOrEnvironment()
    {
        using var stream = File.OpenRead(Core.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();

        var types = reader.TypeReferences
            .Select(h => reader.GetTypeReference(h))
            .Select(t => reader.GetString(t.Namespace) + "." + reader.GetString(t.Name))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Empty(types.Intersect(ForbiddenTypes));

        var members = reader.MemberReferences
            .Select(h => reader.GetMemberReference(h))
            .Where(m => m.Parent.Kind == HandleKind.TypeReference)
            .Select(m =>
            {
                var parent = reader.GetTypeReference((TypeReferenceHandle)m.Parent);
                return reader.GetString(parent.Namespace) + "." + reader.GetString(parent.Name) + "." + reader.GetString(m.Name);
            })
            .ToHashSet(StringComparer.Ordinal);
        Assert.Empty(members.Intersect(ForbiddenMembers));
        // Iterators compiled by C# read Environment.CurrentManagedThreadId; nothing else of it is allowed.
        Assert.DoesNotContain(members, m => m.StartsWith("System.Environment.", StringComparison.Ordinal) && m != "System.Environment.get_CurrentManagedThreadId");
        // The check itself must see something, or it proves nothing.
        Assert.Contains(types, t => t.StartsWith("LanguageExt.", StringComparison.Ordinal));
    }
}
