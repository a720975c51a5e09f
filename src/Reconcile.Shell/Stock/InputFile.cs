using System.Security.Cryptography;

namespace Reconcile.Shell.Stock;

/// <summary>
/// The bytes of one input file, read once: the same bytes are parsed and fingerprinted, so the
/// journal's SHA-256 is exactly what the plan was made from.
/// </summary>
internal sealed record InputFile(string Name, byte[]? Bytes)
{
    public bool Exists => Bytes is not null;

    private string? sha256;

    /// <summary>Computed once: the plan file, the journal and the commit check all ask for it.</summary>
    public string? Sha256 => Bytes is null ? null : sha256 ??= Convert.ToHexStringLower(SHA256.HashData(Bytes));

    /// <summary>Reads <paramref name="path"/>, reported as <paramref name="name"/>; a missing file has no bytes.</summary>
    public static InputFile Read(string name, string path) =>
        new(name, File.Exists(path) ? File.ReadAllBytes(path) : null);
}
