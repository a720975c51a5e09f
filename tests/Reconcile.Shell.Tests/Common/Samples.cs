namespace Reconcile.Shell.Tests.Common;

/// <summary>Finds the repository's <c>samples/</c> folder from the test binaries.</summary>
public static class Samples
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Reconcile.sln")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("samples/ not found above " + AppContext.BaseDirectory);
    }
}
