using System.Net.Sockets;
using Reconcile.Shell.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// A logged-in SSH connection to the host of a <see cref="RemoteRoot"/>, set up as the user's OpenSSH
/// client would: <c>~/.ssh/config</c> (host alias, <c>HostName</c>, <c>User</c>, <c>Port</c>,
/// <c>IdentityFile</c>), <c>--ssh-key</c> and the default keys, and the host key checked against
/// <c>~/.ssh/known_hosts</c> before anything is sent. An SFTP channel does the work; an exec channel, on a
/// second connection opened when first needed, runs commands (hashing, copies inside the host) when the
/// server allows them. Every failure to connect is one line naming the host and what is wrong, never a
/// key or a passphrase, and stops the run with exit 2.
/// </summary>
public sealed class SshConnection : IDisposable
{
    private static readonly string[] DefaultKeys = ["id_ed25519", "id_ecdsa", "id_rsa"];

    private readonly ConnectionInfo info;
    private readonly byte[] hostKey;
    private readonly Lock execLock = new();
    private SshClient? exec;
    private bool? commandsAllowed;
    private Task<bool>? commandsCheck;

    private SshConnection(SftpClient sftp, ConnectionInfo info, byte[] hostKey, string user, string host, int port)
    {
        Sftp = sftp;
        this.info = info;
        this.hostKey = hostKey;
        User = user;
        Host = host;
        Port = port;
    }

    public SftpClient Sftp { get; }

    public string User { get; }

    /// <summary>The real host name (after <c>HostName</c>), as <c>known_hosts</c> names it.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>Connects and logs in; <paramref name="notices"/> hears of a host key newly recorded.</summary>
    public static SshConnection Open(RemoteRoot root, SshOptions options, string written, Action<string>? notices)
    {
        var home = options.HomeDirectory;
        var sshDirectory = Path.Combine(home, ".ssh");
        var settings = ReadConfig(Path.Combine(sshDirectory, "config")).For(root.Host);
        var host = settings.HostName ?? root.Host;
        var port = root.Port ?? settings.Port ?? 22;
        var user = root.User ?? settings.User ?? Environment.UserName;
        var keys = Keys(options, settings, sshDirectory, home, root.Host, user);
        var info = new ConnectionInfo(host, port, user, new PrivateKeyAuthenticationMethod(user, [.. keys.Select(k => k.Key)]))
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var knownHostsFile = Path.Combine(sshDirectory, "known_hosts");
        var knownHosts = File.Exists(knownHostsFile) ? KnownHosts.Parse(File.ReadAllText(knownHostsFile)) : KnownHosts.Empty;
        string? refusal = null;
        string? newLine = null;
        byte[]? seenKey = null;
        var sftp = new SftpClient(info) { OperationTimeout = TimeSpan.FromMinutes(5) };
        sftp.HostKeyReceived += (_, e) =>
        {
            seenKey = e.HostKey;
            var fingerprint = "SHA256:" + e.FingerPrintSHA256;
            switch (knownHosts.Check(host, port, e.HostKeyName, e.HostKey))
            {
                case HostKeyStatus.Known:
                    e.CanTrust = true;
                    break;
                case HostKeyStatus.Unknown when options.AcceptNewHostKey:
                    newLine = KnownHosts.Line(host, port, e.HostKeyName, e.HostKey);
                    e.CanTrust = true;
                    break;
                case HostKeyStatus.Unknown:
                    refusal = $"the host key of {KnownHosts.NameOf(host, port)} is not in {knownHostsFile} ({e.HostKeyName} {fingerprint}); if that is the host's key, run again with --accept-new-host-key to record it; nothing was changed";
                    e.CanTrust = false;
                    break;
                default:
                    refusal = $"the host key of {KnownHosts.NameOf(host, port)} does not match {knownHostsFile} (it now offers {e.HostKeyName} {fingerprint}): the host was reinstalled, or someone is in between; refused; if the new key is right, remove the old one (ssh-keygen -R {host}); nothing was changed";
                    e.CanTrust = false;
                    break;
            }
        };
        try
        {
            sftp.Connect();
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or TimeoutException)
        {
            sftp.Dispose();
            var why = refusal ?? e switch
            {
                SshAuthenticationException => $"{user}@{host} refused the login with the key(s) {string.Join(", ", keys.Select(k => k.File))}; give the right one with --ssh-key or IdentityFile in {Path.Combine(sshDirectory, "config")}; nothing was changed",
                SocketException or SshOperationTimeoutException or TimeoutException => $"cannot connect to {host} port {port}: {e.Message}; nothing was changed",
                _ => $"cannot connect to {host} port {port}: {e.Message}; nothing was changed",
            };
            throw RunStoppedException.BadInput($"{written}: {why}");
        }
        if (newLine is not null)
        {
            RecordHostKey(sshDirectory, knownHostsFile, newLine);
            notices?.Invoke($"recorded the host key of {KnownHosts.NameOf(host, port)} in {knownHostsFile}");
        }
        var connection = new SshConnection(sftp, info, seenKey ?? [], user, host, port);
        // The exec connection's handshake overlaps the first SFTP requests.
        connection.commandsCheck = Task.Run(connection.CheckCommands);
        return connection;
    }

    private static SshConfig ReadConfig(string file)
    {
        try
        {
            return File.Exists(file) ? SshConfig.Parse(File.ReadAllText(file)) : SshConfig.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RunStoppedException.BadInput($"cannot read {file}: {e.Message}");
        }
    }

    /// <summary>
    /// The keys to offer, in OpenSSH's order: <c>--ssh-key</c>, then <c>IdentityFile</c> entries, then the
    /// default keys (unless <c>IdentitiesOnly</c> and a key was named). A key that needs a passphrase cannot
    /// be used by a scheduled job and is passed over; a key named by <c>--ssh-key</c> must load.
    /// </summary>
    private static List<(string File, IPrivateKeySource Key)> Keys(SshOptions options, SshHostSettings settings, string sshDirectory, string home, string alias, string user)
    {
        var keys = new List<(string File, IPrivateKeySource Key)>();
        var passedOver = new List<string>();
        if (options.KeyFile is { } given)
        {
            keys.Add((given, Load(given, required: true, passedOver)!));
        }
        var named = settings.IdentityFiles.Select(f => Expand(f, home, alias, user)).ToList();
        var candidates = settings.IdentitiesOnly && (named.Count > 0 || keys.Count > 0)
            ? named
            : named.Concat(DefaultKeys.Select(k => Path.Combine(sshDirectory, k)));
        foreach (var file in candidates.Distinct(StringComparer.Ordinal))
        {
            if (File.Exists(file) && Load(file, required: false, passedOver) is { } key)
            {
                keys.Add((file, key));
            }
        }
        if (keys.Count == 0)
        {
            var also = passedOver.Count > 0 ? $" ({string.Join(", ", passedOver)} need a passphrase)" : "";
            throw RunStoppedException.BadInput($"no SSH key to log in with: none of {string.Join(", ", DefaultKeys.Select(k => Path.Combine(sshDirectory, k)))} or the IdentityFile entries could be used{also}; give one with --ssh-key FILE");
        }
        return keys;
    }

    private static PrivateKeyFile? Load(string file, bool required, List<string> passedOver)
    {
        try
        {
            return new PrivateKeyFile(file);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            if (required)
            {
                throw RunStoppedException.BadInput($"--ssh-key {file}: the key needs a passphrase, which a scheduled job cannot type; use a key without one");
            }
            passedOver.Add(file);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            if (required)
            {
                throw RunStoppedException.BadInput($"--ssh-key {file}: not a private key this program can read ({(e is IOException or UnauthorizedAccessException ? e.Message : "unknown format")})");
            }
            return null;
        }
    }

    /// <summary><c>~</c> and OpenSSH's <c>%d</c> (home), <c>%h</c> (host), <c>%r</c>/<c>%u</c> (user) in a file name.</summary>
    internal static string Expand(string file, string home, string host, string user)
    {
        var expanded = file.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, file[2..]) : file;
        expanded = expanded.Replace("%d", home, StringComparison.Ordinal).Replace("%h", host, StringComparison.Ordinal)
            .Replace("%r", user, StringComparison.Ordinal).Replace("%u", user, StringComparison.Ordinal).Replace("%%", "%", StringComparison.Ordinal);
        return Path.IsPathRooted(expanded) ? expanded : Path.Combine(home, ".ssh", expanded);
    }

    private static void RecordHostKey(string sshDirectory, string knownHostsFile, string line)
    {
        if (!Directory.Exists(sshDirectory))
        {
            Directory.CreateDirectory(sshDirectory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(sshDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var separator = File.Exists(knownHostsFile) && new FileInfo(knownHostsFile).Length > 0 && !File.ReadAllText(knownHostsFile).EndsWith('\n') ? "\n" : "";
        File.AppendAllText(knownHostsFile, separator + line + "\n");
    }

    /// <summary>
    /// Runs a shell command on the host; null when the server allows no commands (an SFTP-only account).
    /// The exec connection checks the host key against the one this connection accepted.
    /// </summary>
    public (int ExitCode, string Output, string Error)? Run(string command)
    {
        var client = ExecClient();
        if (client is null)
        {
            return null;
        }
        using var run = client.CreateCommand(command);
        run.CommandTimeout = TimeSpan.FromHours(1);
        run.Execute();
        return (run.ExitStatus ?? -1, run.Result, run.Error);
    }

    /// <summary>Whether commands can run on the host: an exec channel opens, and sha256sum, cp and find answer.</summary>
    public bool CommandsAllowed => commandsCheck?.Result ?? false;

    private bool CheckCommands()
    {
        try
        {
            commandsAllowed = Run("sha256sum --version >/dev/null 2>&1 && cp --version >/dev/null 2>&1 && find --version >/dev/null 2>&1 && echo yes") is { ExitCode: 0, Output: "yes\n" };
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            commandsAllowed = false;
        }
        return commandsAllowed.Value;
    }

    private SshClient? ExecClient()
    {
        lock (execLock)
        {
            if (exec is { IsConnected: true })
            {
                return exec;
            }
            if (commandsAllowed == false)
            {
                return null;
            }
            var client = new SshClient(info);
            client.HostKeyReceived += (_, e) => e.CanTrust = e.HostKey.AsSpan().SequenceEqual(hostKey);
            try
            {
                client.Connect();
            }
            catch (Exception e) when (e is SshException or SocketException)
            {
                client.Dispose();
                commandsAllowed = false;
                return null;
            }
            exec?.Dispose();
            exec = client;
            return exec;
        }
    }

    public void Dispose()
    {
        try
        {
            commandsCheck?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // the check's own failure says only that commands are not allowed
        }
        exec?.Dispose();
        Sftp.Dispose();
    }
}
