namespace Reconcile.Shell.Common;

/// <summary>Where reconcile keeps what it remembers between runs for this user: hash caches and run locks.</summary>
public static class UserCacheDirectory
{
    /// <summary>
    /// <c>$XDG_CACHE_HOME/reconcile</c> when that variable holds an absolute path, else
    /// <c>~/.cache/reconcile</c>; null when the home directory is not known either.
    /// </summary>
    public static string? Find()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "reconcile");
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "reconcile");
    }
}
