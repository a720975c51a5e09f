namespace Reconcile.Shell.Common;

/// <summary>
/// The name of a file reconcile writes before renaming it into place. A file left by an interrupted run
/// is recognisable by it: in DEST it is an extra file to the next run, which removes it.
/// </summary>
public static class TemporaryName
{
    public const string Prefix = ".reconcile-";
    public const string Suffix = ".part";

    /// <summary>A fresh name, <c>.reconcile-</c> and 16 random hex digits and <c>.part</c>; appended to a file's name, or a name of its own.</summary>
    public static string New() => Prefix + Guid.NewGuid().ToString("N")[..16] + Suffix;
}
