using System.Globalization;
using Reconcile.Core.Files;
using Reconcile.Core.Tests;
using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>The remote scan's reading of GNU find's <c>%T@</c> ("seconds.fraction") into nanoseconds.</summary>
public sealed class FindTimeTests
{
    [Theory]
    [InlineData("1700000000.1234567890", 1_700_000_000_123_456_789L)]
    [InlineData("1700000000.5", 1_700_000_000_500_000_000L)]
    [InlineData("1700000000", 1_700_000_000_000_000_000L)]
    [InlineData("0.0000000000", 0L)]
    [InlineData("-1.5000000000", -1_500_000_000L)]
    public void ATimeIsReadToTheNanosecond(string listed, long expected)
    {
        Assert.True(SftpEndpoint.TryParseTime(listed, out var ns));
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("1700000000.12x")]
    [InlineData("1700000000.-5")]
    public void WhatIsNotATimeIsRefused(string listed) =>
        Assert.False(SftpEndpoint.TryParseTime(listed, out _));

    [ReconcileProperty]
    public bool AnyTimeFindPrintsReadsBackAsTheSameNanoseconds(uint seconds, uint nanos)
    {
        var fraction = nanos % FileTime.NanosPerSecond;
        var listed = string.Create(CultureInfo.InvariantCulture, $"{seconds}.{fraction:D9}0");
        return SftpEndpoint.TryParseTime(listed, out var ns) && ns == (seconds * FileTime.NanosPerSecond) + fraction;
    }
}
