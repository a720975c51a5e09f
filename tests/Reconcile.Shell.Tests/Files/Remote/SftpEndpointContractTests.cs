using Reconcile.Shell.Files;
using Reconcile.Shell.Files.Remote;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>The SFTP endpoint against the test SSH server; skipped, with the reason, without one.</summary>
[Collection(SshTestServer.Collection)]
public sealed class SftpEndpointContractTests : MirrorEndpointContract
{
    private static readonly Lock Opening = new();
    private static SshConnection? shared;

    /// <summary>One connection for the contract's endpoints (the server's sessions are dropped by other tests, so it is reopened when gone).</summary>
    private static SshConnection Connection()
    {
        lock (Opening)
        {
            if (shared is not { Sftp.IsConnected: true })
            {
                shared = SshConnection.Open(new RemoteRoot(null, SshTestServer.Alias, null, ""), new SshOptions(Home: SshTestServer.Home), SshTestServer.Alias, null);
            }
            return shared;
        }
    }

    protected override IMirrorEndpoint NewEmptyDest()
    {
        var root = Temp.Combine("dest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        return SftpEndpoint.Open(Connection(), root);
    }
}
