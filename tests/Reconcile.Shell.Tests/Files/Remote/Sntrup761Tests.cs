using Org.BouncyCastle.Pqc.Crypto.NtruPrime;
using Org.BouncyCastle.Security;
using Reconcile.Core.Tests;
using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>
/// The sntrup761 half of the key exchange, checked against an independent implementation (Bouncy
/// Castle's, which SSH.NET ships) and against the algebra it rests on.
/// </summary>
public sealed class Sntrup761Tests
{
    private static Action<Span<byte>> Seeded(int seed)
    {
        var random = new Random(seed);
        return bytes => random.NextBytes(bytes);
    }

    /// <summary>A polynomial with coefficients in {-1, 0, 1}, the same for the same seed.</summary>
    private static sbyte[] RandomSmall(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Sntrup761.P).Select(_ => (sbyte)random.Next(-1, 2))];
    }

    [Fact]
    public void ReductionModuloQIsCentredForEveryValueItIsGiven()
    {
        for (var x = -(1 << 24) + 1; x < 1 << 24; x++)
        {
            var expected = ((((x + 2295) % 4591) + 4591) % 4591) - 2295;
            if (Sntrup761.FreezeQ(x) != expected)
            {
                Assert.Fail($"FreezeQ({x}) = {Sntrup761.FreezeQ(x)}, not {expected}");
            }
        }
    }

    [Fact]
    public void ReductionModuloThreeIsCentredForEveryValueItIsGiven()
    {
        for (var x = -(1 << 13) + 1; x < 1 << 13; x++)
        {
            Assert.Equal(((((x + 1) % 3) + 3) % 3) - 1, Sntrup761.Freeze3(x));
        }
    }

    [ReconcileProperty]
    public bool TheSortingNetworkSortsAnyKeys(uint[] keys)
    {
        var sorted = (uint[])keys.Clone();
        Sntrup761.SortingNetwork(sorted);
        return sorted.SequenceEqual(keys.Order());
    }

    [Fact]
    public void TheSortingNetworkSortsTheLengthTheKeyNeeds()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, Sntrup761.P).Select(_ => (uint)random.NextInt64(uint.MaxValue + 1L)).ToArray();
        var sorted = (uint[])keys.Clone();
        Sntrup761.SortingNetwork(sorted);
        Assert.Equal(keys.Order(), sorted);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AReciprocalInR3TimesItsPolynomialIsOne(int seed)
    {
        var g = RandomSmall(seed);
        var inverse = new sbyte[Sntrup761.P];
        Assert.True(Sntrup761.R3Reciprocal(inverse, g));
        var product = new sbyte[Sntrup761.P];
        Sntrup761.R3Times(product, g, inverse);
        Assert.Equal(1, product[0]);
        Assert.All(product.Skip(1), c => Assert.Equal(0, c));
    }

    [Fact]
    public void ZeroHasNoReciprocal()
    {
        Assert.False(Sntrup761.R3Reciprocal(new sbyte[Sntrup761.P], new sbyte[Sntrup761.P]));
        Assert.False(Sntrup761.RqReciprocalOf3Times(new short[Sntrup761.P], new sbyte[Sntrup761.P]));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void AReciprocalOfThreeTimesASmallPolynomialIsOneInRq(int seed)
    {
        var f = RandomSmall(seed);
        var inverse = new short[Sntrup761.P];
        Assert.True(Sntrup761.RqReciprocalOf3Times(inverse, f));
        var product = new short[Sntrup761.P];
        Sntrup761.RqTimesSmall(product, inverse, f);
        // inverse · f = 1/3, so three times it is one
        Assert.Equal(1, Sntrup761.FreezeQ(3 * product[0]));
        Assert.All(product.Skip(1), c => Assert.Equal(0, Sntrup761.FreezeQ(3 * c)));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void ASecretEncapsulatedByAnotherImplementationComesOutTheSame(int seed)
    {
        var key = Sntrup761.Generate(Seeded(seed));
        Assert.Equal(Sntrup761.PublicKeyBytes, key.PublicKey.Length);
        var publicKey = new SNtruPrimePublicKeyParameters(SNtruPrimeParameters.sntrup761, key.PublicKey);
        using var sent = new SNtruPrimeKemGenerator(new SecureRandom()).GenerateEncapsulated(publicKey);
        var ciphertext = sent.GetEncapsulation();
        Assert.Equal(Sntrup761.CiphertextBytes, ciphertext.Length);
        Assert.Equal(sent.GetSecret(), key.Decapsulate(ciphertext));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(Sntrup761.CiphertextBytes - 1)]
    public void AnAlteredCiphertextGivesAnotherSecretAndAlwaysTheSameOne(int at)
    {
        var key = Sntrup761.Generate(Seeded(21));
        var publicKey = new SNtruPrimePublicKeyParameters(SNtruPrimeParameters.sntrup761, key.PublicKey);
        using var sent = new SNtruPrimeKemGenerator(new SecureRandom()).GenerateEncapsulated(publicKey);
        var altered = sent.GetEncapsulation();
        altered[at] ^= 0x10;
        var secret = key.Decapsulate(altered);
        Assert.NotEqual(sent.GetSecret(), secret);
        Assert.Equal(secret, key.Decapsulate(altered));
    }

    [Fact]
    public void TwoKeysFromTheSystemsRandomSourceDiffer() =>
        Assert.NotEqual(Sntrup761.Generate().PublicKey, Sntrup761.Generate().PublicKey);

    [Fact]
    public void ACiphertextOfTheWrongLengthIsRefused() =>
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Sntrup761.Generate(Seeded(3)).Decapsulate(new byte[100]));
}

/// <summary>The exchange against the test SSH server (OpenSSH): it is the one offered and agreed on, and the login it starts succeeds.</summary>
[Collection(Common.SshTestServer.Collection)]
public sealed class Sntrup761ExchangeTests
{
    [SkippableFact]
    public void ALoginToOpenSshAgreesOnThisProgramsSntrup761Exchange()
    {
        using var connection = SshConnection.Open(new RemoteRoot(null, Common.SshTestServer.Alias, null, ""), new SshOptions(Home: Common.SshTestServer.Home), Common.SshTestServer.Alias, null);
        var info = connection.Sftp.ConnectionInfo;
        Assert.StartsWith("sntrup761x25519-sha512", info.CurrentKeyExchangeAlgorithm, StringComparison.Ordinal);
        Assert.IsType<Sntrup761X25519Exchange>(info.KeyExchangeAlgorithms[info.CurrentKeyExchangeAlgorithm!]());
        Assert.True(connection.Sftp.IsConnected);
        Assert.True(connection.CommandsAllowed);
    }
}
