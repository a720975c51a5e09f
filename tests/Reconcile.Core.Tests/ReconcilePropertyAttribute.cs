using System.Globalization;
using FsCheck.Xunit;

namespace Reconcile.Core.Tests;

/// <summary>
/// An FsCheck property whose run can be set from the environment, for every property at once:
/// <c>RECONCILE_PBT_MAX_TEST=N</c> runs N cases instead of the property's default, and
/// <c>RECONCILE_PBT_REPLAY="seed,gamma"</c> replays the run that FsCheck names after "Falsifiable, after
/// … tests (… shrinks)" when a property fails. A <c>MaxTest</c> written on the method would win over
/// the environment, so the default number of cases is the constructor's argument instead.
/// </summary>
public sealed class ReconcilePropertyAttribute : PropertyAttribute
{
    public const int DefaultMaxTest = 300;
    public const string MaxTestVariable = "RECONCILE_PBT_MAX_TEST";
    public const string ReplayVariable = "RECONCILE_PBT_REPLAY";

    /// <summary>
    /// Where the variables are read; the process environment unless a test of this attribute gives its
    /// own for the properties it runs (an async-local value, so that no other test sees it).
    /// </summary>
    internal static readonly AsyncLocal<Func<string, string?>?> Environment = new();

    public ReconcilePropertyAttribute()
        : this(DefaultMaxTest)
    {
    }

    public ReconcilePropertyAttribute(int defaultMaxTest)
    {
        var variable = Environment.Value ?? System.Environment.GetEnvironmentVariable;
        var maxTest = variable(MaxTestVariable);
        MaxTest = int.TryParse(maxTest, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : defaultMaxTest;
        if (variable(ReplayVariable) is { Length: > 0 } replay)
        {
            Replay = IsSeed(replay) ? replay : throw new ArgumentException(
                $"{ReplayVariable}=\"{replay}\" is not a seed FsCheck printed: expected \"seed,gamma\" (gamma odd), as in \"(12345,67891)\"");
        }
        QuietOnSuccess = true;
    }

    private static bool IsSeed(string replay)
    {
        var parts = replay.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
        return parts.Length is 2 or 3
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gamma) && gamma % 2 == 1
            && (parts.Length == 2 || uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _));
    }
}
