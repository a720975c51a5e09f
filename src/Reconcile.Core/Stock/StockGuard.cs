using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>Safety guards: a plan that is correct by the rules but probably not what anyone wants.</summary>
public static class StockGuard
{
    /// <summary>Why the plan is refused, or None when it may go ahead.</summary>
    public static Option<string> Refusal(Seq<Batch> feed, StockMode mode, int? maxRemove, Seq<StockAction> plan)
    {
        if (mode == StockMode.Full && feed.IsEmpty)
        {
            return Some("the feed has no batches; in full mode that would remove every batch (use --mode partial if that is meant)");
        }
        var removals = plan.Count(a => a is RemoveBatch);
        if (maxRemove is { } limit && removals > limit)
        {
            return Some($"the plan removes {removals} batches, more than --max-remove {limit}");
        }
        return None;
    }
}
