using System.Security.Cryptography;
using Reconcile.Core.Files;
using Reconcile.Shell.Files.Remote;
using Reconcile.Shell.Tests.Common;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>The reading of what <c>openssl dgst -sha256 -r</c> prints on a host, from the real tool.</summary>
public sealed class HostDigestTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void EachPlainNameGetsItsOwnHashAndAnEscapedNameNone()
    {
        Skip.IfNot(Command.Run("openssl", "version").ExitCode == 0, "openssl is not installed");
        var names = new[] { "plain", "with space", "-dash", "café", "new\nline", "back\\slash", "tab\tand\rreturn" };
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            File.WriteAllText(temp.Combine(name), "content " + i);
        }
        var printed = Command.MustRun("sh", ["-c", "cd \"$1\" && shift && exec openssl dgst -sha256 -r \"$@\"", "sh", temp.Path, .. names.Select(n => "./" + n)]);
        var found = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        SftpEndpoint.ParseDigests(printed, found);
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            if (name.Contains('\n', StringComparison.Ordinal))
            {
                Assert.False(found.ContainsKey(name), name);
                continue;
            }
            if (found.TryGetValue(name, out var hash))
            {
                Assert.Equal(ContentHash.FromBytes(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("content " + i))), hash);
            }
            else
            {
                // A name openssl escapes is left out, never taken under another name.
                Assert.Contains('\\', name);
            }
        }
        Assert.True(found.ContainsKey("plain") && found.ContainsKey("with space") && found.ContainsKey("-dash") && found.ContainsKey("café"), string.Join(", ", found.Keys));
        Assert.All(found.Keys, k => Assert.Contains(k, names));
    }
}
