namespace Reconcile.Shell.Common;

/// <summary>The process exit codes, the same for every command (see README, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Done = 0;
    public const int SomeActionsFailed = 1;
    public const int BadInput = 2;
    public const int Refused = 3;
    public const int Locked = 4;
    public const int ChangesPending = 5;
}
