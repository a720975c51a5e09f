using LanguageExt;
using Reconcile.Core.Common;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>Safety guards: a plan that is correct by the rules but probably not what anyone wants.</summary>
public static class StockGuard
{
    /// <summary>Why the plan is refused, or None when it may go ahead.</summary>
    public static Option<Problem> Refusal(Seq<Batch> feed, StockMode mode, int? maxRemove, Seq<StockAction> plan)
    {
        if (mode == StockMode.Full && feed.IsEmpty)
        {
            return Refused("the feed has no batches; in full mode that would remove every batch (use --mode partial if that is meant)");
        }
        var removals = plan.Count(a => a is RemoveBatch);
        if (maxRemove is { } limit && removals > limit)
        {
            return Refused($"the plan removes {removals} batches, more than --max-remove {limit}");
        }
        return None;
    }

    private static Option<Problem> Refused(string reason) => Some(Problem.Refused(reason + "; nothing was changed"));
}
