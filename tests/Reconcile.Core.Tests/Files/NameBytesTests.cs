using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Reconcile.Core.Files;

namespace Reconcile.Core.Tests.Files;

/// <summary>The bytes of a Linux name: anything but '/' and NUL.</summary>
public sealed record RawName(byte[] Bytes)
{
    public override string ToString() => Convert.ToHexString(Bytes);
}

/// <summary>Names of random bytes, most of them high bytes, so that valid and invalid UTF-8 both occur often.</summary>
public static class NameGens
{
    private static readonly Gen<byte> NameByte = Gen.OneOf(
        Gen.Choose(0x80, 0xFF).Select(b => (byte)b),
        Gen.Elements<byte>(0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0x80, 0xBF),
        Gen.Choose(1, 0x7F).Where(b => b != '/').Select(b => (byte)b));

    public static Arbitrary<RawName> RawNames { get; } = Arb.From(Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(NameByte, n)).Select(b => new RawName(b)));
}

/// <summary>Names are decoded losslessly: encoding gives back the very bytes, and no two names decode alike.</summary>
[Properties(Arbitrary = new[] { typeof(NameGens) })]
public class NameBytesTests
{
    [ReconcileProperty]
    public void EncodingADecodedNameGivesItsBytes(RawName name) =>
        Assert.Equal(name.Bytes, NameBytes.Encode(NameBytes.Decode(name.Bytes)));

    [ReconcileProperty]
    public void TwoNamesDecodeAlikeOnlyWhenTheirBytesAreEqual(RawName a, RawName b) =>
        Assert.Equal(a.Bytes.AsSpan().SequenceEqual(b.Bytes), NameBytes.Decode(a.Bytes) == NameBytes.Decode(b.Bytes));

    [ReconcileProperty]
    public void EveryDecodedNameIsAName(RawName name)
    {
        var decoded = NameBytes.Decode(name.Bytes);
        Assert.True(NameBytes.IsName(decoded));
        Assert.Equal(name.Bytes.Length, NameBytes.ByteCount(decoded));
    }

    [ReconcileProperty]
    public void ANameHasEscapesExactlyWhenItsBytesAreNotUtf8(RawName name)
    {
        var valid = true;
        try
        {
            _ = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(name.Bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            valid = false;
        }
        Assert.Equal(!valid, NameBytes.HasEscapes(NameBytes.Decode(name.Bytes)));
    }

    [ReconcileProperty]
    public void OrdinalOrderOfDecodedNamesIsTheSameEveryTime(RawName a, RawName b)
    {
        var (x, y) = (NameBytes.Decode(a.Bytes), NameBytes.Decode(b.Bytes));
        Assert.Equal(Math.Sign(string.CompareOrdinal(x, y)), -Math.Sign(string.CompareOrdinal(y, x)));
        Assert.Equal(string.Equals(x, y, StringComparison.Ordinal), a.Bytes.AsSpan().SequenceEqual(b.Bytes));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x80 }, @"a\uDC80")]
    [InlineData(new byte[] { 0xFF }, @"\uDCFF")]
    [InlineData(new byte[] { 0xE2, 0x82, 0x41 }, @"\uDCE2\uDC82A")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, @"\uDCED\uDCA0\uDC80")]
    [InlineData(new byte[] { 0xC3, 0xA9 }, @"é")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80, 0x80 }, @"\uD83D\uDE00\uDC80")]
    [InlineData(new byte[] { 0xC0, 0xAF }, @"\uDCC0\uDCAF")]
    public void InvalidBytesBecomeLoneSurrogatesAsPythonEscapesThem(byte[] bytes, string escaped)
    {
        // Written escaped: an attribute's string is stored as UTF-8, which cannot hold a lone surrogate.
        var name = System.Text.RegularExpressions.Regex.Unescape(escaped);
        Assert.Equal(name, NameBytes.Decode(bytes));
        Assert.Equal(bytes, NameBytes.Encode(name));
    }

    [Fact]
    public void ALoneSurrogateThatNoBytesGiveIsNotAName()
    {
        Assert.False(NameBytes.IsName("a\uD800b"));
        Assert.False(NameBytes.IsName("\uDC41"));
        Assert.True(NameBytes.IsName("a\uDC80b"));
    }
}
