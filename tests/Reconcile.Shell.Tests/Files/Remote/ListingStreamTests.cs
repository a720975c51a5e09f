using System.Text;
using FsCheck;
using Reconcile.Core.Tests;
using Reconcile.Shell.Files.Remote;
using Xunit;

namespace Reconcile.Shell.Tests.Files.Remote;

/// <summary>The remote listing read as it arrives: NUL-ended records out of a stream that comes in pieces.</summary>
public sealed class ListingStreamTests
{
    /// <summary>A stream that gives at most <paramref name="piece"/> bytes per read, as a network does.</summary>
    private sealed class InPieces(byte[] bytes, int piece) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));
    }

    [ReconcileProperty]
    public bool EveryRecordComesOutWholeHoweverTheBytesArrive(NonNull<string>[] records, PositiveInt piece)
    {
        var texts = records.Select(r => r.Get.Replace("\0", "", StringComparison.Ordinal)).ToArray();
        var bytes = texts.SelectMany(t => Encoding.UTF8.GetBytes(t).Append((byte)0)).ToArray();
        var read = SftpEndpoint.NulEndedRecords(new InPieces(bytes, piece.Get)).ToArray();
        return read.SequenceEqual(texts.Select(t => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(t))));
    }

    [Fact]
    public void ARecordLongerThanTheBufferComesOutWholeAndBytesAfterTheLastNulAreNoRecord()
    {
        var longRecord = new string('x', 200_000);
        var bytes = Encoding.UTF8.GetBytes("a\0" + longRecord + "\0b\0unended");
        Assert.Equal(["a", longRecord, "b"], SftpEndpoint.NulEndedRecords(new InPieces(bytes, 7000)));
    }
}
