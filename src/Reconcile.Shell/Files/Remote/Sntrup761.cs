using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// Streamlined NTRU Prime with p = 761 (sntrup761), the post-quantum half of OpenSSH's default key
/// exchange, <c>sntrup761x25519-sha512@openssh.com</c>, as a client needs it: a key pair made for one
/// exchange, and the shared secret taken out of the server's ciphertext. Written from the NTRU Prime
/// specification (round 3), with its byte encodings, hashes and implicit rejection; the server side
/// (encapsulation) is not needed here.
/// <para>
/// Polynomials live in Z[x]/(x^761 - x - 1): "Rq" coefficients are centred modulo q = 4591, "R3" ones
/// modulo 3. Every loop runs the same steps whatever the secret values are, as in the specification's
/// reference code: no branch and no memory address depends on a secret.
/// </para>
/// </summary>
internal sealed class Sntrup761
{
    internal const int P = 761;
    internal const int Q = 4591;
    internal const int W = 286;
    private const int Q12 = (Q - 1) / 2;
    internal const int SmallBytes = (P + 3) / 4;
    internal const int PublicKeyBytes = 1158;
    internal const int RoundedBytes = 1007;
    internal const int CiphertextBytes = RoundedBytes + 32;
    internal const int SecretBytes = 32;

    private readonly sbyte[] f;
    private readonly sbyte[] gInverse;
    private readonly short[] h;
    private readonly byte[] rho;
    private readonly byte[] publicKeyHash;

    private Sntrup761(sbyte[] f, sbyte[] gInverse, short[] h, byte[] rho)
    {
        this.f = f;
        this.gInverse = gInverse;
        this.h = h;
        this.rho = rho;
        PublicKey = EncodeRq(h);
        publicKeyHash = HashPrefix(4, PublicKey);
    }

    /// <summary>The encoded public key (1158 bytes), as the client's half of the exchange sends it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A new key pair from the system's random source.</summary>
    public static Sntrup761 Generate() => Generate(RandomNumberGenerator.Fill);

    /// <summary>A key pair from the given random source (tests give a seeded one to repeat a case).</summary>
    internal static Sntrup761 Generate(Action<Span<byte>> random)
    {
        var g = new sbyte[P];
        var gInverse = new sbyte[P];
        do
        {
            SmallRandom(g, random);
        }
        while (!R3Reciprocal(gInverse, g));
        var f = ShortRandom(random);
        var fInverse3 = new short[P];
        if (!RqReciprocalOf3Times(fInverse3, f))
        {
            // 3f is invertible in Rq for every small f (q is prime and x^p - x - 1 irreducible mod q).
            throw new CryptographicException("sntrup761: 3f has no inverse");
        }
        var h = new short[P];
        RqTimesSmall(h, fInverse3, g);
        var rho = new byte[SmallBytes];
        random(rho);
        return new Sntrup761(f, gInverse, h, rho);
    }

    /// <summary>
    /// The 32-byte shared secret of a ciphertext made for this key. A ciphertext that is not one (altered on
    /// the way, or not made for this key) gives an unrelated secret instead (implicit rejection), so the
    /// key exchange fails where the hashes are compared, with nothing learnt.
    /// </summary>
    public byte[] Decapsulate(ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length != CiphertextBytes)
        {
            throw new CryptographicException($"sntrup761: a ciphertext is {CiphertextBytes} bytes, not {ciphertext.Length}");
        }
        // Decrypt: e = 3 c f in R3, then r = e / g; r must have weight w, or a fixed one stands in.
        var c = DecodeRounded(ciphertext[..RoundedBytes]);
        var cf = new short[P];
        RqTimesSmall(cf, c, f);
        var e = new sbyte[P];
        for (var i = 0; i < P; i++)
        {
            e[i] = (sbyte)Freeze3(FreezeQ(3 * cf[i]));
        }
        var ev = new sbyte[P];
        R3Times(ev, e, gInverse);
        var mask = WeightMask(ev);
        var r = new sbyte[P];
        for (var i = 0; i < W; i++)
        {
            r[i] = (sbyte)(((ev[i] ^ 1) & ~mask) ^ 1);
        }
        for (var i = W; i < P; i++)
        {
            r[i] = (sbyte)(ev[i] & ~mask);
        }
        // Re-encrypt r and compare with what came: the session key hashes r when they agree, rho if not.
        var rEncoded = EncodeSmall(r);
        var again = new byte[CiphertextBytes];
        Hide(again, rEncoded, r);
        var differs = DifferenceMask(ciphertext, again);
        for (var i = 0; i < SmallBytes; i++)
        {
            rEncoded[i] ^= (byte)(differs & (rEncoded[i] ^ rho[i]));
        }
        return HashSession((byte)(1 + differs), rEncoded, ciphertext);
    }

    /// <summary>The ciphertext of r under this key, followed by its confirmation hash.</summary>
    private void Hide(Span<byte> ciphertext, byte[] rEncoded, sbyte[] r)
    {
        var hr = new short[P];
        RqTimesSmall(hr, h, r);
        for (var i = 0; i < P; i++)
        {
            hr[i] = (short)(hr[i] - Freeze3(hr[i]));
        }
        EncodeRounded(hr).CopyTo(ciphertext);
        HashConfirm(rEncoded).CopyTo(ciphertext[RoundedBytes..]);
    }

    private byte[] HashConfirm(byte[] rEncoded)
    {
        Span<byte> x = stackalloc byte[64];
        HashPrefix(3, rEncoded).CopyTo(x);
        publicKeyHash.CopyTo(x[32..]);
        return HashPrefix(2, x);
    }

    private static byte[] HashSession(byte b, byte[] rEncoded, ReadOnlySpan<byte> ciphertext)
    {
        var x = new byte[32 + CiphertextBytes];
        HashPrefix(3, rEncoded).CopyTo(x, 0);
        ciphertext.CopyTo(x.AsSpan(32));
        return HashPrefix(b, x);
    }

    /// <summary>The first 32 bytes of SHA-512 over one prefix byte and the input.</summary>
    private static byte[] HashPrefix(byte prefix, ReadOnlySpan<byte> input)
    {
        var data = new byte[1 + input.Length];
        data[0] = prefix;
        input.CopyTo(data.AsSpan(1));
        return SHA512.HashData(data)[..32];
    }

    /// <summary>0 when the two are equal, -1 when not, in time that does not depend on where they differ.</summary>
    private static int DifferenceMask(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var bits = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bits |= a[i] ^ b[i];
        }
        return (1 & ((bits - 1) >> 8)) - 1;
    }

    /// <summary>0 when r has weight w (w coefficients not zero), -1 otherwise.</summary>
    private static int WeightMask(sbyte[] r)
    {
        var weight = 0;
        for (var i = 0; i < P; i++)
        {
            weight += r[i] & 1;
        }
        return NonZeroMask(weight - W);
    }

    private static int NonZeroMask(int x) => -(int)((uint)(x | -x) >> 31);

    private static int NegativeMask(int x) => x >> 31;

    /// <summary>x reduced to [-(q-1)/2, (q-1)/2], for |x| &lt; 2^24, by two multiply-and-shift estimates of x / q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int FreezeQ(int x)
    {
        x -= Q * ((57 * x) >> 18);
        return x - (Q * (((29235 * x) + (1 << 26)) >> 27));
    }

    /// <summary>The same, for each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> FreezeQ(Vector<int> x)
    {
        x -= ((x * 57) >> 18) * Q;
        return x - ((((x * 29235) + new Vector<int>(1 << 26)) >> 27) * Q);
    }

    /// <summary>x reduced to {-1, 0, 1}, for |x| &lt; 2^13.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Freeze3(int x) => x - (3 * (((10923 * x) + (1 << 14)) >> 15));

    /// <summary>The same, for each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Freeze3(Vector<int> x) => x - ((((x * 10923) + new Vector<int>(1 << 14)) >> 15) * 3);

    /// <summary>Coefficients uniform in {-1, 0, 1}.</summary>
    private static void SmallRandom(sbyte[] g, Action<Span<byte>> random)
    {
        Span<byte> bytes = stackalloc byte[4 * P];
        random(bytes);
        for (var i = 0; i < P; i++)
        {
            var u = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
            g[i] = (sbyte)((((u & 0x3fffffff) * 3) >> 30) - 1);
        }
    }

    /// <summary>A uniformly random small polynomial of weight w: w values ±1 shuffled among zeros by sorting random keys.</summary>
    private static sbyte[] ShortRandom(Action<Span<byte>> random)
    {
        Span<byte> bytes = stackalloc byte[4 * P];
        random(bytes);
        var keys = new uint[P];
        for (var i = 0; i < P; i++)
        {
            var u = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
            // The two low bits carry the value (0 → -1, 2 → +1, 1 → 0); the rest is the sorting key.
            keys[i] = i < W ? u & ~1u : (u & ~3u) | 1;
        }
        SortingNetwork(keys);
        var f = new sbyte[P];
        for (var i = 0; i < P; i++)
        {
            f[i] = (sbyte)((int)(keys[i] & 3) - 1);
        }
        return f;
    }

    /// <summary>
    /// Sorts in place with a fixed sequence of compare-exchanges (Batcher's merge exchange, Knuth's
    /// algorithm 5.2.2M), so that the order of operations says nothing about the keys.
    /// </summary>
    internal static void SortingNetwork(uint[] x)
    {
        var n = x.Length;
        if (n < 2)
        {
            return;
        }
        var t = 1;
        while ((1 << t) < n)
        {
            t++;
        }
        for (var p = 1 << (t - 1); p > 0; p >>= 1)
        {
            var q = 1 << (t - 1);
            var r = 0;
            var d = p;
            while (true)
            {
                for (var i = 0; i < n - d; i++)
                {
                    if ((i & p) == r)
                    {
                        var a = x[i];
                        var b = x[i + d];
                        var swap = (uint)-(int)(((ulong)b - a) >> 63);
                        var diff = (a ^ b) & swap;
                        x[i] = a ^ diff;
                        x[i + d] = b ^ diff;
                    }
                }
                if (q == p)
                {
                    break;
                }
                d = q - p;
                q >>= 1;
                r = p;
            }
        }
    }

    /// <summary>
    /// The length of the working polynomials of the reciprocals: p + 1 coefficients, padded with zeros to
    /// a whole number of vectors (the padding stays zero through every step).
    /// </summary>
    private const int Padded = 768;

    /// <summary>out = 1 / g in R3; false when g has no inverse (then out is not one).</summary>
    internal static bool R3Reciprocal(sbyte[] output, sbyte[] g) =>
        Reciprocal<Modulo3, sbyte>(output, g, numerator: 1);

    /// <summary>out = 1 / (3 f) in Rq; false when there is none.</summary>
    internal static bool RqReciprocalOf3Times(short[] output, sbyte[] f) =>
        Reciprocal<ModuloQ, short>(output, f, numerator: ModuloQ.Reciprocal(3));

    /// <summary>out = a · s in Rq, s small.</summary>
    internal static void RqTimesSmall(short[] output, short[] a, sbyte[] s) => Times<ModuloQ, short>(output, a, s);

    /// <summary>out = a · b in R3.</summary>
    internal static void R3Times(sbyte[] output, sbyte[] a, sbyte[] b) => Times<Modulo3, sbyte>(output, a, b);

    /// <summary>
    /// The coefficients' field, modulo a prime (q or 3), each value kept centred: the reciprocal and the
    /// product are written once for both rings, and each use is compiled for its field.
    /// </summary>
    private interface IPrimeField
    {
        static abstract int Reduce(int x);

        static abstract Vector<int> Reduce(Vector<int> x);

        static abstract int Reciprocal(int a);
    }

    private readonly struct ModuloQ : IPrimeField
    {
        public static int Reduce(int x) => FreezeQ(x);

        public static Vector<int> Reduce(Vector<int> x) => FreezeQ(x);

        /// <summary>1 / a modulo q, as a^(q-2).</summary>
        public static int Reciprocal(int a)
        {
            var result = a;
            for (var i = 1; i < Q - 2; i++)
            {
                result = FreezeQ(a * result);
            }
            return result;
        }
    }

    private readonly struct Modulo3 : IPrimeField
    {
        public static int Reduce(int x) => Freeze3(x);

        public static Vector<int> Reduce(Vector<int> x) => Freeze3(x);

        /// <summary>1 and -1 are their own reciprocals modulo 3.</summary>
        public static int Reciprocal(int a) => a;
    }

    /// <summary>
    /// out = numerator / input in Z[x]/(x^p - x - 1) over the field, by the specification's constant-time
    /// division steps (2p - 1 of them, whatever the input): f starts as the modulus, g as the reversed
    /// input; each step may swap them (and v with r), then cancels g's constant term against f's. False
    /// when the input has no inverse.
    /// </summary>
    private static bool Reciprocal<TField, TCoefficient>(TCoefficient[] output, sbyte[] input, int numerator)
        where TField : IPrimeField
        where TCoefficient : IBinaryInteger<TCoefficient>
    {
        var f = new int[Padded];
        var g = new int[Padded];
        var v = new int[Padded];
        var r = new int[Padded];
        r[0] = numerator;
        f[0] = 1;
        f[P - 1] = -1;
        f[P] = -1;
        for (var i = 0; i < P; i++)
        {
            g[P - 1 - i] = input[i];
        }
        var fs = MemoryMarshal.Cast<int, Vector<int>>(f.AsSpan());
        var gs = MemoryMarshal.Cast<int, Vector<int>>(g.AsSpan());
        var vs = MemoryMarshal.Cast<int, Vector<int>>(v.AsSpan());
        var rs = MemoryMarshal.Cast<int, Vector<int>>(r.AsSpan());
        var delta = 1;
        for (var loop = 0; loop < (2 * P) - 1; loop++)
        {
            Array.Copy(v, 0, v, 1, P);
            v[0] = 0;
            var swapMask = NegativeMask(-delta) & NonZeroMask(g[0]);
            delta ^= swapMask & (delta ^ -delta);
            delta++;
            var heads = swapMask & (f[0] ^ g[0]);
            var fHead = new Vector<int>(f[0] ^ heads);
            var gHead = new Vector<int>(g[0] ^ heads);
            var swap = new Vector<int>(swapMask);
            for (var i = 0; i < fs.Length; i++)
            {
                var t = swap & (fs[i] ^ gs[i]);
                fs[i] ^= t;
                gs[i] = TField.Reduce((fHead * (gs[i] ^ t)) - (gHead * fs[i]));
                t = swap & (vs[i] ^ rs[i]);
                vs[i] ^= t;
                rs[i] = TField.Reduce((fHead * (rs[i] ^ t)) - (gHead * vs[i]));
            }
            Array.Copy(g, 1, g, 0, P);
            g[P] = 0;
        }
        var scale = TField.Reciprocal(f[0]);
        for (var i = 0; i < P; i++)
        {
            output[i] = TCoefficient.CreateTruncating(TField.Reduce(scale * v[P - 1 - i]));
        }
        return NonZeroMask(delta) == 0;
    }

    /// <summary>out = a · s over the field, s small; the terms of degree p and up folded back in, as x^p = x + 1.</summary>
    private static void Times<TField, TCoefficient>(TCoefficient[] output, TCoefficient[] a, sbyte[] s)
        where TField : IPrimeField
        where TCoefficient : IBinaryInteger<TCoefficient>
    {
        var product = new int[(2 * P) - 1];
        for (var j = 0; j < P; j++)
        {
            int sj = s[j];
            var row = product.AsSpan(j, P);
            for (var i = 0; i < P; i++)
            {
                row[i] += sj * int.CreateTruncating(a[i]);
            }
        }
        for (var i = (2 * P) - 2; i >= P; i--)
        {
            product[i - P] += product[i];
            product[i - P + 1] += product[i];
        }
        for (var i = 0; i < P; i++)
        {
            output[i] = TCoefficient.CreateTruncating(TField.Reduce(product[i]));
        }
    }

    private static byte[] EncodeSmall(sbyte[] r)
    {
        var bytes = new byte[SmallBytes];
        for (var i = 0; i < P / 4; i++)
        {
            bytes[i] = (byte)((r[4 * i] + 1) | ((r[(4 * i) + 1] + 1) << 2) | ((r[(4 * i) + 2] + 1) << 4) | ((r[(4 * i) + 3] + 1) << 6));
        }
        bytes[P / 4] = (byte)(r[P - 1] + 1);
        return bytes;
    }

    internal static byte[] EncodeRq(short[] a)
    {
        var values = new uint[P];
        var moduli = new uint[P];
        for (var i = 0; i < P; i++)
        {
            values[i] = (uint)(a[i] + Q12);
            moduli[i] = Q;
        }
        var bytes = new List<byte>(PublicKeyBytes);
        Encode(bytes, values, moduli);
        return [.. bytes];
    }

    internal static byte[] EncodeRounded(short[] a)
    {
        var values = new uint[P];
        var moduli = new uint[P];
        for (var i = 0; i < P; i++)
        {
            values[i] = (uint)(((a[i] + Q12) * 10923) >> 15);
            moduli[i] = (Q + 2) / 3;
        }
        var bytes = new List<byte>(RoundedBytes);
        Encode(bytes, values, moduli);
        return [.. bytes];
    }

    internal static short[] DecodeRounded(ReadOnlySpan<byte> bytes)
    {
        var moduli = new uint[P];
        Array.Fill(moduli, (uint)((Q + 2) / 3));
        var values = Decode(bytes, moduli);
        var a = new short[P];
        for (var i = 0; i < P; i++)
        {
            a[i] = (short)((values[i] * 3) - Q12);
        }
        return a;
    }

    /// <summary>
    /// The specification's encoding of a list of values, each below its modulus, into bytes: pairs are
    /// merged into one value below the product of their moduli, whose low bytes are written while that
    /// product is at least 2^14, and the merged list is encoded the same way.
    /// </summary>
    private static void Encode(List<byte> output, uint[] values, uint[] moduli)
    {
        var n = moduli.Length;
        if (n == 1)
        {
            var (r, m) = (values[0], moduli[0]);
            while (m > 1)
            {
                output.Add((byte)r);
                r >>= 8;
                m = (m + 255) >> 8;
            }
            return;
        }
        var merged = new uint[(n + 1) / 2];
        var mergedModuli = new uint[(n + 1) / 2];
        for (var i = 0; i + 1 < n; i += 2)
        {
            var m = moduli[i] * moduli[i + 1];
            var r = values[i] + (moduli[i] * values[i + 1]);
            while (m >= 16384)
            {
                output.Add((byte)r);
                r >>= 8;
                m = (m + 255) >> 8;
            }
            merged[i / 2] = r;
            mergedModuli[i / 2] = m;
        }
        if (n % 2 == 1)
        {
            merged[n / 2] = values[n - 1];
            mergedModuli[n / 2] = moduli[n - 1];
        }
        Encode(output, merged, mergedModuli);
    }

    /// <summary>The inverse of <see cref="Encode"/>; any bytes decode to values below their moduli.</summary>
    private static uint[] Decode(ReadOnlySpan<byte> bytes, uint[] moduli)
    {
        var n = moduli.Length;
        if (n == 1)
        {
            ulong whole = 0;
            for (var i = Math.Min(bytes.Length, 4) - 1; i >= 0; i--)
            {
                whole = (whole << 8) | bytes[i];
            }
            return [(uint)(whole % moduli[0])];
        }
        var half = (n + 1) / 2;
        var bottom = new uint[n / 2];
        var scale = new uint[n / 2];
        var mergedModuli = new uint[half];
        var k = 0;
        for (var i = 0; i + 1 < n; i += 2)
        {
            var m = moduli[i] * moduli[i + 1];
            uint r = 0;
            uint t = 1;
            while (m >= 16384)
            {
                r += bytes[k++] * t;
                t <<= 8;
                m = (m + 255) >> 8;
            }
            bottom[i / 2] = r;
            scale[i / 2] = t;
            mergedModuli[i / 2] = m;
        }
        if (n % 2 == 1)
        {
            mergedModuli[n / 2] = moduli[n - 1];
        }
        var merged = Decode(bytes[k..], mergedModuli);
        var values = new uint[n];
        for (var i = 0; i + 1 < n; i += 2)
        {
            var r = bottom[i / 2] + ((ulong)scale[i / 2] * merged[i / 2]);
            values[i] = (uint)(r % moduli[i]);
            values[i + 1] = (uint)(r / moduli[i] % moduli[i + 1]);
        }
        if (n % 2 == 1)
        {
            values[n - 1] = merged[n / 2];
        }
        return values;
    }
}
