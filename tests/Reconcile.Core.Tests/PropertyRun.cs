using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Reconcile.Core.Tests;

/// <summary>
/// Runs a property with the configuration taken from the environment: RECONCILE_PBT_MAX_TEST sets the
/// cases per property, RECONCILE_PBT_REPLAY="seed,gamma" replays one failing run. A failure throws
/// with FsCheck's report, which names the seed to paste back into RECONCILE_PBT_REPLAY.
/// </summary>
public static class PropertyRun
{
    public const int DefaultMaxTest = 300;

    public static void Check<T>(Arbitrary<T> arbitrary, Func<T, bool> law, int defaultMaxTest = DefaultMaxTest) =>
        WithReplayHint(() => Prop.ForAll(arbitrary, law).Check(Configuration(defaultMaxTest)));

    public static void Check<T>(Arbitrary<T> arbitrary, Action<T> law, int defaultMaxTest = DefaultMaxTest) =>
        WithReplayHint(() => Prop.ForAll(arbitrary, law).Check(Configuration(defaultMaxTest)));

    /// <summary>FsCheck names the failing seed as "(seed,gamma)"; say how to paste it back.</summary>
    private static void WithReplayHint(Action check)
    {
        try
        {
            check();
        }
        catch (Exception failure) when (ReplayPattern.Match(failure.Message) is { Success: true } seed)
        {
            throw new PropertyFailedException(
                $"To replay: RECONCILE_PBT_REPLAY=\"{seed.Groups[1].Value},{seed.Groups[2].Value}\"\n{failure.Message}", failure);
        }
    }

    private static readonly System.Text.RegularExpressions.Regex ReplayPattern =
        new(@"Falsifiable, after \d+ tests? \(\d+ shrinks?\) \((\d+),(\d+)\)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static Config Configuration(int defaultMaxTest)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(MaxTest(defaultMaxTest));
        var replay = Environment.GetEnvironmentVariable("RECONCILE_PBT_REPLAY");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            var parts = replay.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries);
            var seed = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
            var gamma = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
            config = config.WithReplay(seed, gamma);
        }
        return config;
    }

    private static int MaxTest(int fallback)
    {
        var text = Environment.GetEnvironmentVariable("RECONCILE_PBT_MAX_TEST");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
    }
}

public sealed class PropertyFailedException(string message, Exception inner) : Exception(message, inner);
