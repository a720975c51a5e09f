using System.Net.Sockets;
using Reconcile.Shell.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// A logged-in SSH connection to the host of a <see cref="RemoteRoot"/>, set up as the user's OpenSSH
/// client would: <c>~/.ssh/config</c> (host alias, <c>HostName</c>, <c>User</c>, <c>Port</c>,
/// <c>IdentityFile</c>), <c>--ssh-key</c> and the default keys, and the host key checked against
/// <c>~/.ssh/known_hosts</c> before anything is sent. An SFTP channel does the work; exec channels, on a
/// second connection that logs in beside the first, run commands (the listing, hashing, copies inside
/// the host, the <see cref="HostFileChannel"/>) when the server allows them. Every failure to connect is one line naming the host and what is wrong, never a
/// key or a passphrase, and stops the run with exit 2.
/// </summary>
public sealed class SshConnection : IDisposable
{
    private static readonly string[] DefaultKeys = ["id_ed25519", "id_ecdsa", "id_rsa"];

    /// <summary>The exec connection's own settings: a login's state lives in them, so two connections that log in at once cannot share one.</summary>
    private readonly ConnectionInfo execInfo;
    /// <summary>The host key the SFTP connection accepted (null: refused); the exec connection must be offered the same.</summary>
    private readonly TaskCompletionSource<byte[]?> acceptedHostKey = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock execLock = new();
    private SshClient? exec;
    private bool? commandsAllowed;
    private bool hasOpenssl;
    private Task<bool>? commandsCheck;
    private readonly Lock filesLock = new();
    private HostFileChannel? files;
    private bool filesStarted;

    private SshConnection(SftpClient sftp, ConnectionInfo execInfo, string user, string host, int port)
    {
        Sftp = sftp;
        this.execInfo = execInfo;
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
        ConnectionInfo Settings() => Sntrup761X25519Exchange.UseFor(PreferHardwareCiphers(new(host, port, user, new PrivateKeyAuthenticationMethod(user, [.. keys.Select(k => k.Key)]))
        {
            Timeout = TimeSpan.FromSeconds(30),
        }));
        var knownHostsFile = Path.Combine(sshDirectory, "known_hosts");
        var knownHosts = File.Exists(knownHostsFile) ? KnownHosts.Parse(File.ReadAllText(knownHostsFile)) : KnownHosts.Empty;
        string? refusal = null;
        string? newLine = null;
        var sftp = new SftpClient(Settings()) { OperationTimeout = TimeSpan.FromMinutes(5) };
        var connection = new SshConnection(sftp, Settings(), user, host, port);
        sftp.HostKeyReceived += (_, e) =>
        {
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
            connection.acceptedHostKey.TrySetResult(e.CanTrust ? e.HostKey : null);
        };
        // The exec connection's handshake runs beside the SFTP one (each costs a key exchange and a
        // login); it trusts only the host key the SFTP connection accepted.
        connection.commandsCheck = Task.Run(connection.CheckCommands);
        try
        {
            sftp.Connect();
            StageClock.Mark("remote: SFTP connected");
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or TimeoutException)
        {
            connection.acceptedHostKey.TrySetResult(null);
            connection.Dispose();
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
        return connection;
    }

    /// <summary>
    /// Offers AES-GCM first: SSH.NET carries it out with the runtime's AES-GCM (the CPU's AES
    /// instructions, and no separate MAC), where its default first choice, AES-CTR with an HMAC, costs
    /// several times the CPU per byte. The server still picks from what both sides offer.
    /// </summary>
    private static ConnectionInfo PreferHardwareCiphers(ConnectionInfo info)
    {
        var preferred = new[] { "aes128-gcm@openssh.com", "aes256-gcm@openssh.com" };
        var all = info.Encryptions.ToList();
        info.Encryptions.Clear();
        foreach (var (name, cipher) in all.Where(e => preferred.Contains(e.Key, StringComparer.Ordinal)).OrderBy(e => Array.IndexOf(preferred, e.Key)).Concat(all.Where(e => !preferred.Contains(e.Key, StringComparer.Ordinal))))
        {
            info.Encryptions.Add(name, cipher);
        }
        return info;
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
    public (int ExitCode, string Output, string Error)? Run(string command, byte[]? input = null)
    {
        var client = ExecClient();
        if (client is null)
        {
            return null;
        }
        using var run = client.CreateCommand(command);
        run.CommandTimeout = TimeSpan.FromHours(1);
        if (input is null)
        {
            run.Execute();
        }
        else
        {
            // The input (names, NUL-separated) goes to the command's stdin, never through the shell.
            var running = run.ExecuteAsync(CancellationToken.None);
            using (var stdin = run.CreateInputStream())
            {
                stdin.Write(input);
            }
            running.GetAwaiter().GetResult();
        }
        return (run.ExitStatus ?? -1, run.Result, run.Error);
    }


    /// <summary>
    /// Runs a shell command on the host and hands its standard output to <paramref name="read"/> as it
    /// arrives (which must read it to the end); the exit code, or null when the server allows no commands.
    /// </summary>
    public int? RunReading(string command, Action<Stream> read)
    {
        var client = ExecClient();
        if (client is null)
        {
            return null;
        }
        using var run = client.CreateCommand(command);
        run.CommandTimeout = TimeSpan.FromHours(1);
        var running = run.ExecuteAsync(CancellationToken.None);
        read(run.OutputStream);
        running.GetAwaiter().GetResult();
        return run.ExitStatus ?? -1;
    }

    /// <summary>Whether commands can run on the host: an exec channel opens, and sha256sum, cp and find answer.</summary>
    public bool CommandsAllowed => commandsCheck?.Result ?? false;

    /// <summary>
    /// Whether the host has <c>openssl</c>, whose SHA-256 uses the CPU's SHA instructions: several times
    /// faster than <c>sha256sum</c> (900 MB/s against 135 MB/s on the test machine).
    /// </summary>
    public bool HasOpenssl => CommandsAllowed && hasOpenssl;

    private bool CheckCommands()
    {
        try
        {
            var check = Run("sha256sum --version >/dev/null 2>&1 && cp --version >/dev/null 2>&1 && find --version >/dev/null 2>&1 && echo yes && { openssl version >/dev/null 2>&1 && echo openssl; true; }");
            commandsAllowed = check is { ExitCode: 0, Output: "yes\n" or "yes\nopenssl\n" };
            hasOpenssl = commandsAllowed.Value && check is { Output: "yes\nopenssl\n" };
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            commandsAllowed = false;
        }
        StageClock.Mark("remote: commands checked");
        return commandsAllowed.Value;
    }

    /// <summary>
    /// The channel that carries file operations to a program on the host, started on first use; null
    /// when commands are not allowed or the host has no <c>perl</c> (SFTP does the work then).
    /// </summary>
    public HostFileChannel? Files
    {
        get
        {
            lock (filesLock)
            {
                if (!filesStarted)
                {
                    filesStarted = true;
                    files = CommandsAllowed && ExecClient() is { } client ? HostFileChannel.Start(client, Host) : null;
                }
                return files;
            }
        }
    }

    /// <summary>The file channel if it was started, without starting it (to wait for what it was sent).</summary>
    public HostFileChannel? FilesIfStarted
    {
        get
        {
            lock (filesLock)
            {
                return files;
            }
        }
    }

    private SshClient? ExecClient()
    {
        lock (execLock)
        {
            if (exec is { IsConnected: true })
            {
                return exec;
            }
            if (exec is not null)
            {
                // Logged in once and lost since: a run does not log in again behind its user's back. What
                // is left of it fails (exit 1), and the next run finishes the job.
                throw new IOException($"the connection to {Host} was lost");
            }
            if (commandsAllowed == false)
            {
                return null;
            }
            var client = new SshClient(execInfo);
            client.HostKeyReceived += (_, e) =>
                e.CanTrust = acceptedHostKey.Task.Wait(execInfo.Timeout) && acceptedHostKey.Task.Result is { } accepted && e.HostKey.AsSpan().SequenceEqual(accepted);
            try
            {
                client.Connect();
            }
            catch (Exception e) when (e is SshException or SocketException or IOException or TimeoutException)
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
        files?.Dispose();
        exec?.Dispose();
        Sftp.Dispose();
    }
}
