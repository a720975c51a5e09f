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
/// its bytes instead of about ten SFTP round trips. Requests queued by several threads go out in one
/// write, the program reads its input in large pieces and sends the answers it has each time it reads
/// again, and a new file or a deletion need not wait for its answer (see <see cref="SettleDeferred"/>):
/// a first sync of many small files costs few packets, system calls and wake-ups per file on either side. Names travel as bytes inside the stream, never
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
    /// "id 0" or "id 1 reason", written out whenever the program is about to read more requests.
    /// </summary>
    private const string Program = """
        use strict; use Fcntl;
        binmode STDIN; binmode STDOUT;
        my (%fh, %tmp, %err);
        my ($in, $at, $out) = ("", 0, "");
        sub put { my $o = 0; while ($o < length $out) { my $w = syswrite(STDOUT, $out, length($out) - $o, $o); if (!defined $w) { unlink values %tmp; exit 0; } $o += $w; } $out = ""; }
        sub need { my $n = shift; while (length($in) - $at < $n) { if ($at) { substr($in, 0, $at) = ""; $at = 0; } put() if length $out; my $got = sysread(STDIN, $in, 1 << 20, length $in); if (!$got) { unlink values %tmp; exit 0; } } }
        sub answer { my ($id, $e) = @_; if (defined $e) { $e =~ s/\n/ /g; $out .= "$id 1 $e\n"; } else { $out .= "$id 0\n"; } }
        sub meta { my ($ms, $path) = @_; my ($m, $s) = split / /, $ms; return chmod(oct($m), $path) && utime($s, $s, $path) ? undef : "$!"; }
        $out = "ready\n"; put();
        while (1) {
          need(9);
          my ($op, $id, $len) = unpack("a N N", substr($in, $at, 9));
          need(9 + $len);
          my $start = $at + 9; $at = $start + $len;
          if ($op eq "W") {
            my $h = $fh{$id}; my $o = 0;
            while ($h && !defined $err{$id} && $o < $len) { my $w = syswrite($h, $in, $len - $o, $start + $o); if (defined $w) { $o += $w; } else { $err{$id} = "$!"; } }
            next;
          }
          my $p = substr($in, $start, $len);
          if ($op eq "O") {
            if (sysopen(my $h, $p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) { $fh{$id} = $h; } else { $err{$id} = "$!"; }
            $tmp{$id} = $p;
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
            put(); unlink values %tmp; exit 0;
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
    private readonly Lock waiting = new();
    private readonly Dictionary<uint, PendingAnswer> pending = [];
    private uint nextId;
    private volatile string? lost;

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
    /// <remarks>
    /// With <paramref name="settled"/> (and <paramref name="thenTo"/>), the answer is not waited for: the
    /// call returns once the file's frames are queued, and <paramref name="settled"/> is told the outcome
    /// later, on the thread that reads answers (null when the file is in place, else why not), before
    /// <see cref="SettleDeferred"/> returns, with the hash. A thread that reads and queues files then waits a
    /// round trip only when <see cref="DeferredAtMost"/> requests are unanswered.
    /// </remarks>
    public ContentHash Put(string temp, Stream content, long expected, FileMeta meta, string described, string? thenTo = null, Action<ContentHash, string?>? settled = null)
    {
        var id = NewId();
        // A file's frames are gathered and sent at once (in pieces of a megabyte for a big file), so the
        // threads that share the channel take its lock once per file, not once per piece.
        var frames = RentFrames();
        try
        {
            return Put(id, frames, temp, content, expected, meta, described, thenTo, settled);
        }
        finally
        {
            ReturnFrames(frames);
        }
    }

    private ContentHash Put(uint id, MemoryStream frames, string temp, Stream content, long expected, FileMeta meta, string described, string? thenTo, Action<ContentHash, string?>? settled)
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
                    Send(frames);
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
        var hash = ContentHash.FromBytes(sha.GetHashAndReset());
        if (thenTo is null)
        {
            Check(Ask((byte)'C', id, Encoding.ASCII.GetBytes(MetaText(meta)), [], frames), $"cannot write {temp}");
        }
        else
        {
            KillPoint.Step();
            Perform((byte)'P', id, Encoding.ASCII.GetBytes(MetaText(meta) + "\0"), Encoding.UTF8.GetBytes(thenTo), frames, $"cannot write {thenTo}",
                settled is null ? null : problem => settled(hash, problem));
        }
        return hash;
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, atomically replacing a file there; with <paramref name="settled"/>, without waiting for the answer (as <see cref="Put"/>).</summary>
    public void Rename(string from, string to, Action<string?>? settled = null) =>
        Perform((byte)'R', NewId(), Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes("\0" + to), null, $"cannot rename {from} to {to}", settled);

    /// <summary>Sets permission bits and modification time (whole seconds); with <paramref name="settled"/>, without waiting for the answer (as <see cref="Put"/>).</summary>
    public void SetMeta(string path, FileMeta meta, Action<string?>? settled = null) =>
        Perform((byte)'T', NewId(), Encoding.ASCII.GetBytes(MetaText(meta) + "\0"), Encoding.UTF8.GetBytes(path), null, $"cannot set the bits and time of {path}", settled);

    /// <summary>Removes a file; with <paramref name="settled"/>, without waiting for the answer (as <see cref="Put"/>).</summary>
    public void Delete(string path, Action<string?>? settled = null) =>
        Perform((byte)'D', NewId(), Encoding.UTF8.GetBytes(path), [], null, $"cannot remove {path}", settled);

    /// <summary>
    /// Sends a request (after the frames gathered before it). Without <paramref name="settled"/>, waits for
    /// its answer and throws "<paramref name="what"/>: the host's reason" when it failed. With it, returns
    /// at once; <paramref name="settled"/> is told later: null when it succeeded, else that same line, or
    /// why the connection was lost.
    /// </summary>
    private void Perform(byte op, uint id, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> more, MemoryStream? before, string what, Action<string?>? settled)
    {
        if (settled is null)
        {
            Check(Ask(op, id, payload, more, before), what);
            return;
        }
        AskLater(op, id, payload, more, before, (error, lost) => settled(lost ?? (error is null ? null : $"{what}: {error}")));
    }

    /// <summary>
    /// Waits until every request made without waiting has been answered (and its outcome told), or the
    /// connection is lost (then each is told so).
    /// </summary>
    public void SettleDeferred()
    {
        lock (deferredGate)
        {
            while (deferred > 0)
            {
                Monitor.Wait(deferredGate);
            }
        }
    }

    /// <summary>
    /// How many requests may be unanswered without a thread waiting for them. Without a bound, the 400 new
    /// and changed files of the 1% benchmark (20k files) took 250 ms instead of about 110: the queue ran
    /// megabytes ahead, the host's program waited for input in bursts while the writer waited for SSH
    /// window adjustments. With 32 a first sync is as fast as without a bound, and with 16 it is slower.
    /// </summary>
    private const int DeferredAtMost = 32;

    private readonly object deferredGate = new();
    private int deferred;

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
        var answer = new PendingAnswer(null);
        Request(answer, op, id, payload, more, before);
        return answer.Wait();
    }

    /// <summary>Sends a request (after the frames gathered before it) and returns: <paramref name="settled"/> is told its answer (the host's reason, or why the connection was lost), or nothing when it succeeded.</summary>
    private void AskLater(byte op, uint id, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> more, MemoryStream? before, Action<string?, string?> settled)
    {
        lock (deferredGate)
        {
            while (deferred >= DeferredAtMost)
            {
                Monitor.Wait(deferredGate);
            }
            deferred++;
        }
        var answer = new PendingAnswer((error, lost) =>
        {
            try
            {
                settled(error, lost);
            }
            finally
            {
                lock (deferredGate)
                {
                    deferred--;
                    Monitor.PulseAll(deferredGate);
                }
            }
        });
        try
        {
            Request(answer, op, id, payload, more, before);
        }
        catch (IOException e)
        {
            // not sent: told at once
            answer.Settle(null, e.Message);
        }
    }

    private void Request(PendingAnswer answer, byte op, uint id, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> more, MemoryStream? before)
    {
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
            Send(frames);
        }
        finally
        {
            if (before is null)
            {
                ReturnFrames(frames);
            }
        }
    }

    /// <summary>
    /// Buffers of frames, shared by the threads that send: each file's frames are gathered in one taken
    /// from here and given back after. A buffer made per file (or per thread, and the runner starts
    /// threads for every batch of actions) grew by doubling through the large-object heap for every file
    /// over 64 KiB, and each such allocation counts towards a full collection: a first sync of 20k files
    /// made 557 of them and paused for 35 full collections.
    /// </summary>
    private readonly Stack<MemoryStream> spareFrames = [];

    /// <summary>Room for the most a file's frames hold before they are sent: a megabyte and one more chunk, with headers.</summary>
    private const int FramesCapacity = SendBytes + ChunkBytes + (1 << 12);

    private MemoryStream RentFrames()
    {
        lock (spareFrames)
        {
            if (spareFrames.TryPop(out var spare))
            {
                return spare;
            }
        }
        return new MemoryStream(FramesCapacity);
    }

    private void ReturnFrames(MemoryStream frames)
    {
        if (frames.Capacity <= FramesCapacity)
        {
            frames.SetLength(0);
            lock (spareFrames)
            {
                spareFrames.Push(frames);
            }
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

    /// <summary>
    /// Queues the gathered frames for the channel and empties them. The thread that finds no one writing
    /// writes the queue, and whatever other threads add meanwhile, until it is empty: the frames of many
    /// small files go out in one write (and so in full SSH packets, one wake-up of the host's program),
    /// where a write per file cost a packet, a system call and a wake-up on each side for every file.
    /// A thread that finds the queue past <see cref="QueuedBytes"/> waits for the writer first.
    /// </summary>
    private void Send(MemoryStream frames)
    {
        lock (sending)
        {
            while (writerActive && queued.Length >= QueuedBytes && lost is null)
            {
                Monitor.Wait(sending);
            }
            if (lost is not null)
            {
                throw new IOException(lost);
            }
            queued.Write(frames.GetBuffer(), 0, (int)frames.Length);
            frames.SetLength(0);
            if (writerActive)
            {
                return;
            }
            writerActive = true;
        }
        while (true)
        {
            MemoryStream batch;
            lock (sending)
            {
                if (queued.Length == 0 || lost is not null)
                {
                    writerActive = false;
                    Monitor.PulseAll(sending);
                    return;
                }
                batch = queued;
                queued = spareQueue ?? new MemoryStream();
                spareQueue = null;
                Monitor.PulseAll(sending);
            }
            try
            {
                input.Write(batch.GetBuffer(), 0, (int)batch.Length);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or Renci.SshNet.Common.SshException)
            {
                Lose($"the connection to {host} was lost ({e.Message})");
                lock (sending)
                {
                    writerActive = false;
                    Monitor.PulseAll(sending);
                }
                throw new IOException(lost, e);
            }
            batch.SetLength(0);
            lock (sending)
            {
                spareQueue = batch.Capacity <= 2 * QueuedBytes ? batch : null;
            }
        }
    }

    /// <summary>How much may wait in the queue before a sending thread waits for the writer.</summary>
    private const int QueuedBytes = 4 << 20;

    private readonly object sending = new();
    private MemoryStream queued = new();
    private MemoryStream? spareQueue;
    private bool writerActive;

    private void ReadAnswers()
    {
        string why;
        try
        {
            while (output.ReadLine() is { } line)
            {
                var parts = line.Split(' ', 3);
                var id = uint.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
                PendingAnswer? answer;
                lock (waiting)
                {
                    pending.Remove(id, out answer);
                    Answered++;
                }
                answer?.Settle(parts[1] == "0" ? null : parts.Length > 2 ? parts[2] : "failed", lost: null);
            }
            why = $"the connection to {host} was lost (the file channel closed)";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or FormatException or IndexOutOfRangeException or Renci.SshNet.Common.SshException)
        {
            why = $"the connection to {host} was lost ({e.Message})";
        }
        Lose(why);
    }

    /// <summary>Marks the channel lost: every request waiting for its answer fails with <paramref name="why"/>, and so does every later one.</summary>
    private void Lose(string why)
    {
        List<PendingAnswer> left;
        lock (waiting)
        {
            lost ??= why;
            left = [.. pending.Values];
            pending.Clear();
        }
        foreach (var answer in left)
        {
            answer.Settle(null, lost: lost);
        }
        lock (sending)
        {
            Monitor.PulseAll(sending);
        }
    }

    /// <summary>
    /// The answer a sending thread waits for. It blocks at once, without spinning or the thread pool: a
    /// task's wait spun first and its completion woke a pool thread, and with one answer per file those
    /// took a quarter of the CPU of a first sync on two cores.
    /// </summary>
    private sealed class PendingAnswer(Action<string?, string?>? tell)
    {
        private readonly object gate = new();
        private bool settled;
        private string? error;
        private string? lostWhy;

        /// <summary>Null when the request succeeded, else the host's reason; throws when the connection was lost first.</summary>
        public string? Wait()
        {
            lock (gate)
            {
                while (!settled)
                {
                    Monitor.Wait(gate);
                }
            }
            return lostWhy is null ? error : throw new IOException(lostWhy);
        }

        public void Settle(string? error, string? lost)
        {
            if (tell is not null)
            {
                lock (gate)
                {
                    if (settled)
                    {
                        return;
                    }
                    settled = true;
                }
                tell(error, lost);
                return;
            }
            lock (gate)
            {
                this.error = error;
                lostWhy = lost;
                settled = true;
                Monitor.Pulse(gate);
            }
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
            Send(quit);
        });
        Quietly(() =>
        {
            lock (sending)
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
