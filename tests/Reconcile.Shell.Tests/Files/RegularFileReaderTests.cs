using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// The plain-system-call reader gives a file's bytes to its end, whether the file keeps the size it had
/// when it was opened, grows after that, or shrinks.
/// </summary>
public sealed class RegularFileReaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static byte[] ReadToEnd(RegularFileReader reader, int chunk)
    {
        var all = new List<byte>();
        var buffer = new byte[chunk];
        int n;
        while ((n = reader.Read(buffer, 0, chunk)) > 0)
        {
            all.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        // The end stays the end.
        Assert.Equal(0, reader.Read(buffer, 0, chunk));
        return [.. all];
    }

    [SkippableTheory]
    [InlineData(0, "kept", 16)]
    [InlineData(10, "kept", 16)]
    [InlineData(16, "kept", 16)]
    [InlineData(40, "kept", 16)]
    [InlineData(10, "grown", 16)]
    [InlineData(16, "grown", 16)]
    [InlineData(10, "grown", 4096)]
    [InlineData(40, "shrunk", 16)]
    [InlineData(10, "shrunk", 4096)]
    public void ReadsEveryByteTheFileHoldsWhenItIsRead(int size, string change, int chunk)
    {
        Skip.IfNot(NativeFiles.IsAvailable, "the reader makes Linux system calls");
        var file = temp.Combine("file");
        var bytes = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(file, bytes);

        using var reader = RegularFileReader.Open(file);
        var expected = bytes;
        if (change == "grown")
        {
            using var append = new FileStream(file, FileMode.Append, FileAccess.Write);
            append.Write([1, 2, 3]);
            expected = [.. bytes, 1, 2, 3];
        }
        else if (change == "shrunk")
        {
            using var truncate = new FileStream(file, FileMode.Open, FileAccess.Write);
            truncate.SetLength(size / 2);
            expected = bytes[..(size / 2)];
        }

        Assert.Equal(expected, ReadToEnd(reader, chunk));
    }
}
