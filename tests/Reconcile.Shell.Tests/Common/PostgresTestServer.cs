namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// The PostgreSQL server the tests run against: <c>RECONCILE_TEST_POSTGRES</c> holds its URL
/// (<c>postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE</c>); <c>.ci/run</c> starts a throwaway cluster
/// and sets it. Without it the PostgreSQL tests are skipped, and say why.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "RECONCILE_TEST_POSTGRES";

    public static string Url
    {
        get
        {
            var url = Environment.GetEnvironmentVariable(Variable);
            Skip.If(string.IsNullOrEmpty(url), $"{Variable} is not set: no PostgreSQL server to test against (.ci/run starts one)");
            // A store reopened from its locator (a saved plan, a second run) has no password in it: like a
            // user's job, the tests give it through PGPASSWORD, which the runs they start inherit.
            var password = new Uri(url!).UserInfo.Split(':', 2);
            if (password.Length == 2)
            {
                Environment.SetEnvironmentVariable("PGPASSWORD", Uri.UnescapeDataString(password[1]));
            }
            return url!;
        }
    }

    /// <summary>A store in a new schema of its own on the server (not created yet).</summary>
    public static string NewStore() => Url + "?schema=t_" + Guid.NewGuid().ToString("N");

    /// <summary>The URL with its password left out.</summary>
    public static string WithoutPassword(string url)
    {
        var uri = new Uri(url);
        var password = uri.UserInfo.Split(':', 2);
        return password.Length < 2 ? url : url.Replace(":" + password[1] + "@", "@", StringComparison.Ordinal);
    }

    /// <summary>The password in the server's URL, or null.</summary>
    public static string? Password
    {
        get
        {
            var info = new Uri(Url).UserInfo.Split(':', 2);
            return info.Length < 2 ? null : Uri.UnescapeDataString(info[1]);
        }
    }

    /// <summary>A connection to the test server's database (not opened).</summary>
    public static Npgsql.NpgsqlConnection Connect()
    {
        var uri = new Uri(Url);
        var info = uri.UserInfo.Split(':', 2);
        return new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Username = info[0],
            Password = info.Length > 1 ? Uri.UnescapeDataString(info[1]) : null,
            Database = uri.AbsolutePath.TrimStart('/'),
            Pooling = false,
        }.ConnectionString);
    }
}
