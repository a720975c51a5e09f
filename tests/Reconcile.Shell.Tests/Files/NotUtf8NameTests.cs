using System.Text.Json;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Reconcile.Shell.Files;
using Reconcile.Shell.Tests.Common;

namespace Reconcile.Shell.Tests.Files;

/// <summary>
/// Names that are not UTF-8 in text and JSON output, saved plans, the hash cache, backups and the
/// command line. (Mirroring them beside rsync is in <see cref="MirrorBesideRsyncTests"/>.)
/// </summary>
public sealed partial class NotUtf8NameTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Name(string ascii, params byte[] bytes) => ascii + NameBytes.Decode(bytes);

    /// <summary>A file made by its name's bytes, with a fixed time.</summary>
    private static void Make(string path, string text)
    {
        using (var file = new FileStream(NativeFiles.CreateNew(path), FileAccess.Write))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        NativeFiles.SetMeta(path, new FileMeta(1_700_000_000L * FileTime.NanosPerSecond, 0b110_100_100), isLink: false);
    }

    private static string Read(string path)
    {
        using var file = new StreamReader(new FileStream(NativeFiles.OpenRegularFile(path), FileAccess.Read));
        return file.ReadToEnd();
    }

    private static void SkipUnlessNative() =>
        Skip.IfNot(NativeFiles.IsAvailable, "names that are not UTF-8 are passed by their bytes through Linux's system calls");

    // Written escaped: an attribute's string is stored as UTF-8, which cannot hold a lone surrogate.
    [Theory]
    [InlineData(@"a\uDC80", @"a\#200")]
    [InlineData(@"\uDCFF\uDCFE", @"\#377\#376")]
    [InlineData(@"cut\uDCE2\uDC82", @"cut\#342\#202")]
    [InlineData(@"\u009b2J", @"\#302\#2332J")]
    [InlineData(@"smile \uD83D\uDE00", "smile \U0001F600")]
    [InlineData(@"a\\#123", @"a\#134#123")]
    [InlineData(@"a\\#12", @"a\#12")]
    [InlineData(@"a\\#1234", @"a\#134#1234")]
    [InlineData(@"a\\x", @"a\x")]
    public void BytesThatAreNotUtf8AreShownAsRsyncShowsThem(string escapedName, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(Regex.Unescape(escapedName)));

    /// <summary>
    /// A message line (a problem the core words, an I/O error) shows the bytes of a name it holds and no
    /// control character, and a message whose names were escaped already is written as it is.
    /// </summary>
    [Theory]
    [InlineData(@"the plan does not fit: a\uDC80 is missing", @"the plan does not fit: a\#200 is missing")]
    [InlineData(@"cannot read x\ny: no such file", @"cannot read x\#012y: no such file")]
    [InlineData(@"cannot read a\\#200: no such file", @"cannot read a\#200: no such file")]
    [InlineData(@"cannot read a\\#134#123: no such file", @"cannot read a\#134#123: no such file")]
    public void AMessageLineEscapesWhatANameNeedsAndLeavesEscapesAlone(string escapedMessage, string shown) =>
        Assert.Equal(shown, TerminalText.Line(Regex.Unescape(escapedMessage)));

    [Fact]
    public void EveryNameReadsBackFromTheJsonItIsWrittenTo()
    {
        var names = Gen.Choose(1, 20).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 255).Select(b => (byte)b), n)).Select(b => NameBytes.Decode(b));
        Prop.ForAll(names.ToArbitrary(), name =>
        {
            var json = JsonText.Document(j =>
            {
                j.WriteStartObject();
                j.WriteName("path", name);
                j.WriteEndObject();
            });
            using var document = JsonDocument.Parse(json);
            Assert.Equal(name, JsonText.ReadName(document.RootElement.GetProperty("path")));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void APlanNameIsReadByItsEscapesAndOneThatStandsForNoByteIsRejected()
    {
        using var escaped = JsonDocument.Parse("""{"op": "delete", "path": "d\u00e9/x\udc80\ud83d\ude00"}""");
        Assert.Equal(new DeleteFile("dé/x" + NameBytes.Decode([0x80]) + "\U0001F600"), FilePlanReader.ReadAction(escaped.RootElement));
        using var lone = JsonDocument.Parse("""{"op": "delete", "path": "x\ud800"}""");
        var e = Assert.Throws<PlanFormatException>(() => FilePlanReader.ReadAction(lone.RootElement));
        Assert.Contains("stands for no byte", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheHashCacheKnowsTwoNamesThatDifferOnlyInAByteThatIsNotUtf8()
    {
        SkipUnlessNative();
        var (source, dest, cache) = (temp.Combine("s"), temp.Combine("d"), temp.Combine("c"));
        foreach (var root in new[] { source, dest })
        {
            Directory.CreateDirectory(root);
            Make(Path.Combine(root, Name("x", 0x80)), "one");
            Make(Path.Combine(root, Name("x", 0x81)), "two");
            Make(Path.Combine(root, "x\uFFFD"), "three");
        }
        var first = CliRun.Of("files", "-c", "-v", "--cache-dir", cache, source, dest);
        Assert.True(first.ExitCode == ExitCodes.Done, first.ToString());
        Assert.Contains("hashed 3 + 3, from cache 0 + 0", first.Stderr, StringComparison.Ordinal);
        var second = CliRun.Of("files", "-c", "-v", "--cache-dir", cache, source, dest);
        Assert.True(second.ExitCode == ExitCodes.Done, second.ToString());
        Assert.Contains("hashed 0 + 0, from cache 3 + 3", second.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("summary: nothing to do", second.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ABackupKeepsTheVeryBytesOfItsName()
    {
        SkipUnlessNative();
        var (source, dest, backup) = (temp.Combine("s"), temp.Combine("d"), temp.Combine("b"));
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(dest);
        NativeFiles.MakeDirectory(Path.Combine(dest, Name("dir-", 0xFF)));
        Make(Path.Combine(dest, Name("dir-", 0xFF), Name("gone-", 0xFE)), "kept in the backup");
        Make(Path.Combine(source, Name("changed-", 0x80)), "new");
        Make(Path.Combine(dest, Name("changed-", 0x80)), "old!");

        var run = CliRun.Of("files", "--backup-dir", backup, source, dest);
        Assert.True(run.ExitCode == ExitCodes.Done, run.ToString());
        Assert.Equal("kept in the backup", Read(Path.Combine(backup, Name("dir-", 0xFF), Name("gone-", 0xFE))));
        Assert.Equal("old!", Read(Path.Combine(backup, Name("changed-", 0x80))));
        Assert.Equal("new", Read(Path.Combine(dest, Name("changed-", 0x80))));
        Assert.False(NativeFiles.TryStat(Path.Combine(dest, Name("dir-", 0xFF)), out _));
    }

    [Fact]
    public void ARootTheCommandLineCouldNotPassExactlyIsRefused()
    {
        var source = temp.Combine("s");
        Directory.CreateDirectory(source);
        var dest = temp.Combine("d\uFFFD");
        var run = CliRun.Of("files", source, dest);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("DEST", line, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dest));
    }
}

/// <summary>SFTP names are UTF-8: a local name that is not cannot be carried, and such a run is refused before anything changes.</summary>
[Collection(SshTestServer.Collection)]
public sealed class NotUtf8RemoteNameTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public void ALocalNameThatIsNotUtf8IsRefusedForARemoteDest()
    {
        _ = SshTestServer.Home;
        Skip.IfNot(NativeFiles.IsAvailable, "names that are not UTF-8 are made by their bytes through Linux's system calls");
        var source = temp.Combine("s");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "plain"), "p");
        using (var file = new FileStream(NativeFiles.CreateNew(Path.Combine(source, "x" + NameBytes.Decode([0x80]))), FileAccess.Write))
        {
            file.WriteByte(1);
        }
        var dest = temp.Combine("remote-dest");
        Directory.CreateDirectory(dest);
        var run = ExeRun.Of(SshTestServer.Environment(temp.Combine("cache")), "files", source, SshTestServer.Remote(dest));
        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Contains("x\\#200: a name that is not UTF-8 cannot be mirrored", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dest));
    }
}
