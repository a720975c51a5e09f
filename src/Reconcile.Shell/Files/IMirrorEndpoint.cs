using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>
/// What a planner must know of an endpoint: the finest difference in modification times it keeps,
/// whether a rename inside it is atomic (so new bytes can be written aside and renamed into place), and
/// whether it keeps permission bits. <see cref="ActionsInFlight"/> is how many actions the runner may
/// carry out on it at once (0: one per core); an endpoint across a network waits on round trips, not on
/// the cores, and gains from more.
/// </summary>
public sealed record EndpointTraits(TimeSpan TimeResolution, bool AtomicRename, bool PermissionBits, int ActionsInFlight = 0);

/// <summary>
/// One side of a mirror: a tree that can be scanned, files that can be read, and, as DEST, actions that
/// can be carried out. The local file system is one; a remote host over SFTP is another. The order of
/// actions, which of them run side by side, backups, progress and "no deletion after a failure" belong to
/// <see cref="MirrorRunner"/>, the same for every endpoint.
/// </summary>
public interface IMirrorEndpoint
{
    /// <summary>The root, as the user's messages name it.</summary>
    string Root { get; }

    EndpointTraits Traits { get; }

    /// <summary>The tree under the root, links, FIFOs, sockets and devices included; links are never followed.</summary>
    /// <param name="excludes">Patterns whose matches are left out.</param>
    /// <param name="asDest">
    /// Whether the tree is DEST, taken as it is, or SOURCE, taken as this run can mirror it (no setuid or
    /// setgid bit for a file of someone else's when owners are not kept, no device when the run cannot make one).
    /// </param>
    /// <param name="known">Hashes from earlier runs: a file the cache still vouches for gets its hash at once.</param>
    /// <param name="entries">Told how many entries each directory held, as it is read.</param>
    ScanResult Scan(IReadOnlyList<PathGlob> excludes, bool asDest, HashCache? known, Action<int>? entries);

    /// <summary>The bytes of the file at a relative path (<c>/</c> separators).</summary>
    Stream OpenRead(string path);

    /// <summary>
    /// The SHA-256 of each file at these relative paths, read where the endpoint can read fastest (a
    /// local endpoint on every core; a remote one on its own host). A file that cannot be read is left
    /// out and named in <c>Problems</c>, sorted. <paramref name="hashed"/> is told each file's size once it
    /// is hashed, from any thread.
    /// </summary>
    (IReadOnlyDictionary<string, ContentHash> Hashes, IReadOnlyList<string> Problems) Hash(Seq<string> paths, Action<long>? hashed);

    /// <summary>
    /// Carries out one action with this endpoint as DEST, taking new bytes from <paramref name="source"/>.
    /// A file this action would destroy (deleted, or replaced) is handed to <paramref name="keep"/> instead,
    /// when the run keeps backups; <paramref name="keep"/> moves it out of the tree. An action that cannot
    /// be carried out throws an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>
    /// and leaves no partly written file behind.
    /// </summary>
    void Apply(FileAction action, IMirrorEndpoint source, Action<string>? keep);

    /// <summary>
    /// Waits until every action <see cref="Apply"/> returned from is done, and names those that failed
    /// after it returned, with the reason. An endpoint across a network may return from an action once
    /// its request is on the way (a new file sent, its answer not yet back); the runner calls this
    /// before it counts an action done: after each batch that ran side by side, after each action alone.
    /// </summary>
    IReadOnlyList<(FileAction Action, string Problem)> Settle() => [];
}
