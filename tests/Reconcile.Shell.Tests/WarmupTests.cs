using Reconcile.Shell.Files;

namespace Reconcile.Shell.Tests;

/// <summary>The warm-up runs on a thread of its own, where an exception would end the whole program.</summary>
public sealed class WarmupTests
{
    [Fact]
    public void PlanningTheMadeUpTreesSucceeds()
    {
        var error = Record.Exception(MirrorRunner.WarmUp);
        Assert.Null(error);
    }
}
