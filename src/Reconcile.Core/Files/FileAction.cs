namespace Reconcile.Core.Files;

/// <summary>One step of a files plan. Paths are relative to DEST (or SOURCE, for the bytes of a copy).</summary>
public abstract record FileAction;

/// <summary>Transfer SOURCE/path to a path of DEST where nothing is.</summary>
public sealed record CopyFile(string Path, long Bytes, FileMeta Meta) : FileAction;

/// <summary>Transfer SOURCE/path over the obsolete file at the same path of DEST.</summary>
public sealed record UpdateFile(string Path, long Bytes, FileMeta Meta) : FileAction;

/// <summary>Rename inside DEST; <see cref="Replaces"/> when an obsolete file at <see cref="To"/> is overwritten.</summary>
public sealed record MoveFile(string From, string To, FileMeta Meta, bool Replaces) : FileAction;

/// <summary>Copy content already in DEST to another path of DEST, without reading SOURCE.</summary>
public sealed record CopyLocal(string From, string To, FileMeta Meta, bool Replaces) : FileAction;

/// <summary>Move a file out of the way to a temporary name inside DEST, to break a cycle of moves.</summary>
public sealed record StashFile(string From, string To) : FileAction;

/// <summary>Set the modification time and permission bits of a file whose bytes are already right.</summary>
public sealed record TouchFile(string Path, FileMeta Meta) : FileAction;

public sealed record DeleteFile(string Path) : FileAction;

public sealed record MakeDirectory(string Path) : FileAction;

public sealed record RemoveDirectory(string Path) : FileAction;
