using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>
/// Applies a plan to a state value, step by step, in linear time. It is strict: an action that does not
/// fit the state it is applied to (a second batch with a known ref, a deallocation of a line that is not
/// there...) throws, so that tests catch a planner that emits one. New batches, allocations and backorders
/// go at the end of their list; everything else keeps its place.
/// </summary>
public static class StockSimulator
{
    public static StockState Apply(StockState state, Seq<StockAction> plan)
    {
        var batches = new Slots<string, Batch>(state.Batches, b => b.Ref, StringComparer.Ordinal);
        var allocations = new Slots<LineKey, Allocation>(state.Allocations, a => a.Key, EqualityComparer<LineKey>.Default);
        var backorders = new Slots<LineKey, OrderLine>(state.Backorders, l => l.Key, EqualityComparer<LineKey>.Default);
        foreach (var action in plan)
        {
            switch (action)
            {
                case CreateBatch c:
                    batches.Append(new Batch(c.Ref, c.Sku, c.Qty, c.Eta));
                    break;
                case ChangeQuantity c:
                    batches.Replace(c.Ref, b => b.Qty == c.From ? b with { Qty = c.To } : throw Mismatch(action));
                    break;
                case ChangeEta c:
                    batches.Replace(c.Ref, b => b.Eta == c.From ? b with { Eta = c.To } : throw Mismatch(action));
                    break;
                case RemoveBatch r:
                    batches.Remove(r.Ref);
                    break;
                case Deallocate d:
                    var removed = allocations.Remove(new LineKey(d.OrderId, d.Sku));
                    if (removed.Qty != d.Qty || !string.Equals(removed.BatchRef, d.BatchRef, StringComparison.Ordinal))
                    {
                        throw Mismatch(action);
                    }
                    break;
                case Allocate a:
                    var batch = batches.Find(a.BatchRef) ?? throw Mismatch(action);
                    if (!string.Equals(batch.Sku, a.Sku, StringComparison.Ordinal))
                    {
                        throw Mismatch(action);
                    }
                    var key = new LineKey(a.OrderId, a.Sku);
                    if (backorders.Contains(key))
                    {
                        backorders.Remove(key);
                    }
                    allocations.Append(new Allocation(a.OrderId, a.Sku, a.Qty, a.BatchRef));
                    break;
                case OutOfStock o:
                    if (allocations.Contains(new LineKey(o.OrderId, o.Sku)))
                    {
                        throw Mismatch(action);
                    }
                    backorders.Append(new OrderLine(o.OrderId, o.Sku, o.Qty));
                    break;
                default:
                    throw new ArgumentException($"unknown action {action}", nameof(plan));
            }
        }
        return new StockState(batches.ToSeq(), allocations.ToSeq(), backorders.ToSeq());
    }

    private static InvalidOperationException Mismatch(StockAction action) =>
        new($"the plan does not fit the state at {action}");

    /// <summary>An ordered list with an index by key; removed entries leave a hole until the end.</summary>
    private sealed class Slots<TKey, TValue>
        where TKey : notnull
        where TValue : class
    {
        private readonly List<TValue?> items;
        private readonly Dictionary<TKey, int> index;
        private readonly Func<TValue, TKey> keyOf;

        public Slots(Seq<TValue> values, Func<TValue, TKey> keyOf, IEqualityComparer<TKey> comparer)
        {
            this.keyOf = keyOf;
            items = new List<TValue?>(values.Count);
            index = new Dictionary<TKey, int>(values.Count, comparer);
            foreach (var value in values)
            {
                Append(value);
            }
        }

        public bool Contains(TKey key) => index.ContainsKey(key);

        public TValue? Find(TKey key) => index.TryGetValue(key, out var i) ? items[i] : null;

        public void Append(TValue value)
        {
            if (!index.TryAdd(keyOf(value), items.Count))
            {
                throw new InvalidOperationException($"{keyOf(value)} is already there");
            }
            items.Add(value);
        }

        public void Replace(TKey key, Func<TValue, TValue> change)
        {
            var i = index.TryGetValue(key, out var found) ? found : throw new InvalidOperationException($"{key} is not there");
            items[i] = change(items[i]!);
        }

        public TValue Remove(TKey key)
        {
            if (!index.Remove(key, out var i))
            {
                throw new InvalidOperationException($"{key} is not there");
            }
            var value = items[i]!;
            items[i] = null;
            return value;
        }

        public Seq<TValue> ToSeq() => items.Where(v => v is not null).Select(v => v!).ToArray().ToSeq();
    }
}
