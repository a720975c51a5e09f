using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reconcile.Core.Files;
using Reconcile.Shell.Common;
using Renci.SshNet;

namespace Reconcile.Shell.Files.Remote;

/// <summary>
/// File operations on the host carried out by a small Perl program over one exec channel, for the whole
/// run: write a new file (to a temporary name, with its permission bits and time), rename, set bits and
/// time, delete. Requests from every thread share the channel and are answered in turn, so many are in
/// flight at once; none of them costs SSH.NET's REALPATH round trip, and a new file is one request and
/// its bytes instead of about ten SFTP round trips. Names travel as bytes inside the stream, never
/// through a shell. The program writes a file only under the temporary name it was given and renames
/// only when asked; if the channel closes mid-file (a dropped connection, a killed run), it removes the
/// partly written file. Used when the server allows commands and has <c>perl</c> (Debian's perl-base is
/// essential); otherwise the endpoint does the same over SFTP.
/// </summary>
public sealed class HostFileChannel : IDisposable
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>A big file's frames go out in pieces of this size.</summary>
    private const int SendBytes = 1 << 20;

    /// <summary>
    /// Requests are frames: an operation letter, a 32-bit id, a 32-bit payload length, the payload.
    /// O id path: create the temporary file (exclusively, not through a link). W id bytes: append.
    /// C id "mode seconds": close, set bits and time, answer. P id "mode seconds" NUL to: the same, then
    /// rename to its final name. A id: close and remove, answer.
    /// R id from NUL to: rename (atomic over a file). T id "mode seconds" NUL path: set bits and time.
    /// D id path: remove a file. Q: remove any temporary file still open, and end. Answers are lines
    /// "id 0" or "id 1 reason".
    /// </summary>
    private const string Program = """
        use strict; use Fcntl;
        binmode STDIN; binmode STDOUT; $| = 1;
        my (%fh, %tmp, %err);
        sub get { my $n = shift; my $b = ""; while (length($b) < $n) { my $r = sysread(STDIN, $b, $n - length($b), length($b)); if (!$r) { unlink values %tmp; exit 0; } } return $b; }
        sub answer { my ($id, $e) = @_; if (defined $e) { $e =~ s/\n/ /g; print "$id 1 $e\n"; } else { print "$id 0\n"; } }
        sub meta { my ($ms, $path) = @_; my ($m, $s) = split / /, $ms; return chmod(oct($m), $path) && utime($s, $s, $path) ? undef : "$!"; }
        print "ready\n";
        while (1) {
          my ($op, $id, $len) = unpack("a N N", get(9));
          my $p = $len ? get($len) : "";
          if ($op eq "O") {
            if (sysopen(my $h, $p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) { $fh{$id} = $h; } else { $err{$id} = "$!"; }
            $tmp{$id} = $p;
          } elsif ($op eq "W") {
            my $h = $fh{$id}; my $o = 0;
            while ($h && !defined $err{$id} && $o < length $p) { my $w = syswrite($h, $p, length($p) - $o, $o); if (defined $w) { $o += $w; } else { $err{$id} = "$!"; } }
          } elsif ($op eq "C" || $op eq "P" || $op eq "A") {
            my $h = delete $fh{$id}; my $t = delete $tmp{$id}; my $e = delete $err{$id};
            my ($ms, $to) = split /\0/, $p, 2;
            if ($h && !close($h)) { $e //= "$!"; }
            if ($op ne "A" && !defined $e) { $e = meta($ms, $t); }
            if ($op eq "P" && !defined $e && !rename($t, $to)) { $e = "$!"; }
            if (($op eq "A" || defined $e) && defined $t) { unlink $t; }
            answer($id, $op eq "A" ? undef : $e);
          } elsif ($op eq "R") {
            my ($f, $t) = split /\0/, $p, 2; answer($id, rename($f, $t) ? undef : "$!");
          } elsif ($op eq "T") {
            my ($ms, $path) = split /\0/, $p, 2; answer($id, meta($ms, $path));
          } elsif ($op eq "D") {
            answer($id, unlink($p) ? undef : "$!");
          } elsif ($op eq "Q") {
            unlink values %tmp; exit 0;
          } else {
            answer($id, "unknown request");
          }
        }
        """;

    private readonly SshCommand command;
    private readonly Task running;
    private readonly Stream input;
    private readonly StreamReader output;
    private readonly string host;
    private readonly Lock writing = new();
    private readonly Lock waiting = new();
    private readonly Dictionary<uint, TaskCompletionSource<string?>> pending = [];
    private uint nextId;
    private string? lost;

    private HostFileChannel(SshCommand command, Task running, StreamReader output, string host)
    {
        this.command = command;
        this.running = running;
        this.output = output;
        this.host = host;
        input = command.CreateInputStream();
        new Thread(ReadAnswers) { IsBackground = true, Name = "host file answers" }.Start();
    }

    /// <summary>How many requests have been answered: for tests, to see that the channel did the work.</summary>
    public long Answered { get; private set; }

    /// <summary>Starts the program on the host; null when it cannot run there (no perl, no commands).</summary>
    internal static HostFileChannel? Start(SshClient client, string host)
    {
        var command = client.CreateCommand("exec perl -e " + SftpEndpoint.Quote(Program));
        Task running;
        try
        {
            running = command.ExecuteAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or InvalidOperationException or IOException)
        {
            command.Dispose();
            return null;
        }
        var output = new StreamReader(command.OutputStream, Encoding.UTF8);
        string? first;
        try
        {
            first = output.ReadLine();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or Renci.SshNet.Common.SshException)
        {
            first = null;
        }
        if (first != "ready")
        {
            command.Dispose();
            return null;
        }
        StageClock.Mark("remote: file channel started");
        return new HostFileChannel(command, running, output, host);
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="temp"/> (which must not exist), then sets its
    /// bits and time. Fails, leaving nothing at <paramref name="temp"/>, when the content is not
    /// <paramref name="expected"/> bytes long (the source changed while it was read). Returns the SHA-256
    /// of the bytes sent. With <paramref name="thenTo"/>, the file is then renamed there in the same
    /// request (one round trip for a new file), atomically replacing a file there.
    /// </summary>
    public ContentHash Put(string temp, Stream content, long expected, FileMeta meta, string described, string? thenTo = null)
    {
        var id = NewId();
        // A file's frames are gathered and sent at once (in pieces of a megabyte for a big file), so the
        // threads that share the channel take its lock once per file, not once per piece.
        var frames = RentFrames();
        try
        {
            return Put(id, frames, temp, content, expected, meta, described, thenTo);
        }
        finally
        {
            ReturnFrames(frames);
        }
    }

    private ContentHash Put(uint id, MemoryStream frames, string temp, Stream content, long expected, FileMeta meta, string described, string? thenTo)
    {
        Frame(frames, (byte)'O', id, Encoding.UTF8.GetBytes(temp), []);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp(expected + 1, 1, ChunkBytes));
        long written = 0;
        var finished = false;
        try
        {
            int read;
            while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                written += read;
                Frame(frames, (byte)'W', id, buffer.AsSpan(0, read), []);
                if (frames.Length >= SendBytes)
                {
                    Send(frames, flush: false);
                }
            }
            finished = true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            if (!finished || written != expected)
            {
                // The temporary file is removed on the host; the reason is the caller's to give.
                Ask((byte)'A', id, [], [], frames);
            }
        }
        if (written != expected)
        {
            throw new FileChangedException($"{described} changed while it was copied ({expected} bytes planned, {written} copied)");
        }
        if (thenTo is null)
        {
            Check(Ask((byte)'C', id, Encoding.ASCII.GetBytes(MetaText(meta)), [], frames), $"cannot write {temp}");
        }
        else
        {
            KillPoint.Step();
            Check(Ask((byte)'P', id, Encoding.ASCII.GetBytes(MetaText(meta) + "\0"), Encoding.UTF8.GetBytes(thenTo), frames), $"cannot write {thenTo}");
        }
        return ContentHash.FromBytes(sha.GetHashAndReset());
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, atomically replacing a file there.</summary>
    public void Rename(string from, string to) =>
        Check(Ask((byte)'R', NewId(), Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes("\0" + to)), $"cannot rename {from} to {to}");

    /// <summary>Sets permission bits and modification time (whole seconds).</summary>
    public void SetMeta(string path, FileMeta meta) =>
        Check(Ask((byte)'T', NewId(), Encoding.ASCII.GetBytes(MetaText(meta) + "\0"), Encoding.UTF8.GetBytes(path)), $"cannot set the bits and time of {path}");

    /// <summary>Removes a file.</summary>
    public void Delete(string path) =>
        Check(Ask((byte)'D', NewId(), Encoding.UTF8.GetBytes(path), []), $"cannot remove {path}");

    private static string MetaText(FileMeta meta) =>
        Convert.ToString(meta.Mode & 0b111_111_111_111, 8) + " " + FileTime.Seconds(meta.ModifiedNs).ToString(CultureInfo.InvariantCulture);

    private static void Check(string? error, string what)
    {
        if (error is not null)
        {
            throw new IOException($"{what}: {error}");
        }
    }

    private uint NewId()
    {
        lock (waiting)
        {
            return ++nextId;
        }
    }

    /// <summary>Sends a request (after the frames gathered before it) and waits for its answer: null when it succeeded, else the reason.</summary>
    private string? Ask(byte op, uint id, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> more, MemoryStream? before = null)
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waiting)
        {
            if (lost is not null)
            {
                throw new IOException(lost);
            }
            pending[id] = answer;
        }
        var frames = before ?? RentFrames();
        try
        {
            Frame(frames, op, id, payload, more);
            Send(frames, flush: true);
        }
        finally
        {
            if (before is null)
            {
                ReturnFrames(frames);
            }
        }
        return answer.Task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Each sending thread keeps one buffer of frames from file to file: a new one per file grew through
    /// the large-object heap for every file over 64 KiB (a first sync of 20k files allocated 1 GB and
    /// paused for 46 full collections).
    /// </summary>
    [ThreadStatic]
    private static MemoryStream? framesOfThisThread;

    private static MemoryStream RentFrames()
    {
        var frames = framesOfThisThread ?? new MemoryStream();
        framesOfThisThread = null;
        frames.SetLength(0);
        return frames;
    }

    private static void ReturnFrames(MemoryStream frames)
    {
        if (frames.Capacity <= 4 * SendBytes)
        {
            frames.SetLength(0);
            framesOfThisThread = frames;
        }
    }

    private static void Frame(MemoryStream frames, byte op, uint id, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> more)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = op;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], id);
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], (uint)(payload.Length + more.Length));
        frames.Write(header);
        frames.Write(payload);
        frames.Write(more);
    }

    /// <summary>Writes the gathered frames to the channel and empties them.</summary>
    private void Send(MemoryStream frames, bool flush)
    {
        lock (writing)
        {
            if (lost is not null)
            {
                throw new IOException(lost);
            }
            input.Write(frames.GetBuffer(), 0, (int)frames.Length);
            if (flush)
            {
                input.Flush();
            }
        }
        frames.SetLength(0);
    }

    private void ReadAnswers()
    {
        string why;
        try
        {
            while (output.ReadLine() is { } line)
            {
                var parts = line.Split(' ', 3);
                var id = uint.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
                TaskCompletionSource<string?>? answer;
                lock (waiting)
                {
                    pending.Remove(id, out answer);
                    Answered++;
                }
                answer?.TrySetResult(parts[1] == "0" ? null : parts.Length > 2 ? parts[2] : "failed");
            }
            why = $"the connection to {host} was lost (the file channel closed)";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or FormatException or IndexOutOfRangeException or Renci.SshNet.Common.SshException)
        {
            why = $"the connection to {host} was lost ({e.Message})";
        }
        List<TaskCompletionSource<string?>> left;
        lock (waiting)
        {
            lost = why;
            left = [.. pending.Values];
            pending.Clear();
        }
        foreach (var answer in left)
        {
            answer.TrySetException(new IOException(why));
        }
    }

    public void Dispose()
    {
        // The program ends when asked (its stdin's end is not always passed on when nothing was sent);
        // by then it may have closed the channel, or the connection may be gone: nothing is left to do.
        Quietly(() =>
        {
            using var quit = new MemoryStream();
            Frame(quit, (byte)'Q', 0, [], []);
            Send(quit, flush: true);
        });
        Quietly(() =>
        {
            lock (writing)
            {
                input.Dispose();
            }
        });
        Quietly(() => running.Wait(TimeSpan.FromSeconds(10)));
        command.Dispose();
    }

    private static void Quietly(Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or AggregateException or Renci.SshNet.Common.SshException)
        {
            // the channel is gone already
        }
    }
}
