namespace Reconcile.Core.Files;

/// <summary>
/// One step of a files plan. Paths are relative to DEST (or SOURCE, for the bytes of a copy). Each action
/// carries its own facts: the name that text and JSON give it, the DEST paths it changes, and the bytes it
/// takes from SOURCE; only the code that carries actions out or writes them down looks at their kind.
/// </summary>
public abstract record FileAction
{
    /// <summary>The action's name in text and JSON output and in saved plans.</summary>
    public abstract string Op { get; }

    /// <summary>The DEST paths whose entries this action creates, replaces, renames or removes.</summary>
    public abstract IReadOnlyList<string> Touches { get; }

    /// <summary>The bytes this action reads from SOURCE; content already in DEST counts nothing.</summary>
    public virtual long BytesFromSource => 0;

    /// <summary>Where the action ends, for one-line descriptions: the path, or <c>from → to</c>.</summary>
    public abstract string Target { get; }

    /// <summary>
    /// Whether it adds, removes or renames entries of the directories that hold <see cref="Touches"/>,
    /// which moves those directories' times; setting an entry's own metadata does not.
    /// </summary>
    public virtual bool ChangesParents => true;
}

/// <summary>Transfer SOURCE/path to a path of DEST where nothing is.</summary>
public sealed record CopyFile(string Path, long Bytes, FileMeta Meta) : FileAction
{
    public override string Op => "copy";

    public override IReadOnlyList<string> Touches => [Path];

    public override long BytesFromSource => Bytes;

    public override string Target => Path;
}

/// <summary>Transfer SOURCE/path over the obsolete file at the same path of DEST.</summary>
public sealed record UpdateFile(string Path, long Bytes, FileMeta Meta) : FileAction
{
    public override string Op => "update";

    public override IReadOnlyList<string> Touches => [Path];

    public override long BytesFromSource => Bytes;

    public override string Target => Path;
}

/// <summary>Rename inside DEST; <see cref="Replaces"/> when an obsolete file at <see cref="To"/> is overwritten.</summary>
public sealed record MoveFile(string From, string To, FileMeta Meta, bool Replaces) : FileAction
{
    public override string Op => "move";

    public override IReadOnlyList<string> Touches => [From, To];

    public override string Target => Replaces ? $"{From} → {To} (replaces {To})" : $"{From} → {To}";
}

/// <summary>Copy content already in DEST to another path of DEST, without reading SOURCE.</summary>
public sealed record CopyLocal(string From, string To, FileMeta Meta, bool Replaces) : FileAction
{
    public override string Op => "local_copy";

    public override IReadOnlyList<string> Touches => [To];

    public override string Target => Replaces ? $"{From} → {To} (replaces {To})" : $"{From} → {To}";
}

/// <summary>Move a file out of the way to a temporary name inside DEST, to break a cycle of moves.</summary>
public sealed record StashFile(string From, string To) : FileAction
{
    public override string Op => "stash";

    public override IReadOnlyList<string> Touches => [From, To];

    public override string Target => $"{From} → {To}";
}

/// <summary>Set the modification time, permission bits and owner of a file whose bytes are already right, or of a FIFO, socket or device that is already right.</summary>
public sealed record TouchFile(string Path, FileMeta Meta) : FileAction
{
    public override string Op => "touch";

    public override IReadOnlyList<string> Touches => [Path];

    public override bool ChangesParents => false;

    public override string Target => Path;
}

/// <summary>
/// Make a symbolic link to <see cref="LinkTarget"/> (never followed) at a path of DEST, with its time and
/// owner; <see cref="Replaces"/> when an obsolete entry there is replaced.
/// </summary>
public sealed record MakeLink(string Path, string LinkTarget, FileMeta Meta, bool Replaces) : FileAction
{
    public override string Op => "link";

    public override IReadOnlyList<string> Touches => [Path];

    public override string Target => Replaces ? $"{Path} -> {LinkTarget} (replaces {Path})" : $"{Path} -> {LinkTarget}";
}

/// <summary>
/// Make a FIFO, a socket or a device (<see cref="Device"/>: its major and minor numbers) at a path of
/// DEST, with its metadata; <see cref="Replaces"/> when an obsolete entry there is replaced.
/// </summary>
public sealed record MakeNode(string Path, EntryKind Kind, ulong Device, FileMeta Meta, bool Replaces) : FileAction
{
    public override string Op => "mknod";

    public override IReadOnlyList<string> Touches => [Path];

    public override string Target => Replaces ? $"{Path} (replaces {Path})" : Path;
}

/// <summary>Set the time and owner of a symbolic link whose target is already right (the link itself, never what it points to).</summary>
public sealed record TouchLink(string Path, FileMeta Meta) : FileAction
{
    public override string Op => "touch_link";

    public override IReadOnlyList<string> Touches => [Path];

    public override bool ChangesParents => false;

    public override string Target => Path;
}

/// <summary>
/// Set the permission bits, owner and time of a directory ("" is DEST itself). The plan puts these last,
/// deepest first, once the directory's contents are done, as rsync does: entries made or removed inside
/// would move its time again, and a mode that forbids writing would stop its filling.
/// </summary>
public sealed record TouchDirectory(string Path, FileMeta Meta) : FileAction
{
    public override string Op => "touch_dir";

    public override IReadOnlyList<string> Touches => [Path];

    public override bool ChangesParents => false;

    public override string Target => Path.Length == 0 ? "." : Path;
}

public sealed record DeleteFile(string Path) : FileAction
{
    public override string Op => "delete";

    public override IReadOnlyList<string> Touches => [Path];

    public override string Target => Path;
}

public sealed record MakeDirectory(string Path) : FileAction
{
    public override string Op => "mkdir";

    public override IReadOnlyList<string> Touches => [Path];

    public override string Target => Path;
}

public sealed record RemoveDirectory(string Path) : FileAction
{
    public override string Op => "rmdir";

    public override IReadOnlyList<string> Touches => [Path];

    public override string Target => Path;
}
