using LanguageExt;
using Reconcile.Core.Files;

namespace Reconcile.Shell.Files;

/// <summary>The options of a files run that shape its plan or guard its execution, as a saved plan keeps them.</summary>
public sealed record SavedFileOptions(bool Checksum, Seq<string> Excludes, int? MaxDelete, bool AllowEmptySource, string? BackupDir, int ModifyWindow = 0);

/// <summary>
/// A files plan saved by <c>--dry-run --plan-out</c>: the roots as absolute paths, the options, a
/// fingerprint of each gathered tree (<see cref="TreeFingerprint"/>), and the actions, to be carried out
/// later, unchanged, by <c>reconcile apply</c> if the trees still have those fingerprints.
/// </summary>
public sealed record SavedFilePlan(
    string Source,
    string Dest,
    SavedFileOptions Options,
    string SourceFingerprint,
    string DestFingerprint,
    Seq<FileAction> Actions)
{
    public const string Kind = "files";
}
