using System.Globalization;

namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// The OpenSSH server the remote-mirror tests run against, on 127.0.0.1. <c>.ci/run</c> starts one with
/// <c>.ci/start-test-sshd</c> and sets <c>RECONCILE_TEST_SSH</c> to the HOME it wrote (its
/// <c>.ssh/config</c> names the host alias <see cref="Alias"/>, its <c>known_hosts</c> the host key).
/// Without the variable the tests start their own the same way when they can (as root, with sshd
/// installed); otherwise the remote tests are skipped, and say why.
/// </summary>
public static class SshTestServer
{
    public const string Variable = "RECONCILE_TEST_SSH";

    /// <summary>The test collection of every class that uses the server: they run one after another, since some drop its connections.</summary>
    public const string Collection = "ssh server";

    /// <summary>The host alias the test HOME's <c>.ssh/config</c> defines.</summary>
    public const string Alias = "reconcile-test";

    private static readonly Lazy<(string? Home, string? Why)> Server = new(Start);

    /// <summary>The HOME whose <c>.ssh</c> reaches the server; skips the test when there is none.</summary>
    public static string Home
    {
        get
        {
            var (home, why) = Server.Value;
            Skip.If(home is null, why);
            return home!;
        }
    }

    /// <summary>
    /// The host alias of the same server at its second port, where every session is forced into
    /// internal-sftp (an SFTP-only account): no command runs, so everything goes over SFTP.
    /// </summary>
    public const string SftpOnlyAlias = "reconcile-sftp-only";

    /// <summary>A remote root on the test server, in rsync's form.</summary>
    public static string Remote(string absolutePath) => Alias + ":" + absolutePath;

    /// <summary>A remote root in rsync's form through a host alias of the test server's config.</summary>
    public static string Remote(string alias, string absolutePath)
    {
        Skip.IfNot(File.ReadAllText(System.IO.Path.Combine(Home, ".ssh", "config")).Contains("Host " + alias + "\n", StringComparison.Ordinal), $"the test server's config has no host {alias} (started by an older .ci/start-test-sshd)");
        return alias + ":" + absolutePath;
    }

    /// <summary>The environment a run of the program needs to reach the server: HOME, and a cache of its own.</summary>
    public static Dictionary<string, string> Environment(string cacheHome) => new(StringComparer.Ordinal)
    {
        ["HOME"] = Home,
        ["XDG_CACHE_HOME"] = cacheHome,
    };

    /// <summary>The directory the server's files are in (keys, config, pid file): the parent of its HOME.</summary>
    public static string Directory => System.IO.Path.GetDirectoryName(Home)!;

    /// <summary>The server's port, as its client config gives it.</summary>
    public static int Port =>
        int.Parse(File.ReadAllLines(System.IO.Path.Combine(Home, ".ssh", "config")).Select(l => l.Trim()).First(l => l.StartsWith("Port ", StringComparison.Ordinal))[5..], CultureInfo.InvariantCulture);

    /// <summary>
    /// Kills every session process of the server (the processes its listener started, and theirs), so
    /// that every open connection drops; the listener keeps accepting new ones.
    /// </summary>
    public static int DropConnections()
    {
        var listener = int.Parse(File.ReadAllText(System.IO.Path.Combine(Directory, "sshd.pid")).Trim(), CultureInfo.InvariantCulture);
        var killed = 0;
        foreach (var pid in Descendants(listener))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // gone already
            }
        }
        return killed;
    }

    private static List<int> Descendants(int parent)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(ppid, out var list))
                {
                    children[ppid] = list = [];
                }
                list.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        var all = new List<int>();
        var pending = new Stack<int>([parent]);
        while (pending.Count > 0)
        {
            foreach (var child in children.GetValueOrDefault(pending.Pop()) ?? [])
            {
                all.Add(child);
                pending.Push(child);
            }
        }
        return all;
    }

    private static (string? Home, string? Why) Start()
    {
        if (System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return System.IO.Directory.Exists(given) ? (given, null) : (null, $"{Variable} names {given}, which does not exist");
        }
        if (!OperatingSystem.IsLinux() || !ExeRun.IsRoot)
        {
            return (null, $"{Variable} is not set and the tests do not run as root on Linux, so they cannot start sshd (.ci/run starts one)");
        }
        if (!File.Exists("/usr/sbin/sshd"))
        {
            return (null, $"{Variable} is not set and openssh-server is not installed (.ci/run installs it)");
        }
        var script = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Samples.Root)!, ".ci", "start-test-sshd");
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "reconcile-sshd-" + Guid.NewGuid().ToString("N")[..12]);
        var (exit, stdout, stderr) = Command.Run("bash", script, directory);
        if (exit != 0)
        {
            return (null, $"could not start sshd with {script}: {stderr.Trim()}");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(directory);
        return (stdout.Trim(), null);
    }

    private static void Stop(string directory)
    {
        try
        {
            var pid = int.Parse(File.ReadAllText(System.IO.Path.Combine(directory, "sshd.pid")).Trim(), CultureInfo.InvariantCulture);
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
        {
        }
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
