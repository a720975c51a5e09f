using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>
/// Applies a plan to a state value, step by step, in linear time. It is strict: an action that does not
/// fit the state it is applied to (a second batch with a known ref, a deallocation of a line that is not
/// there...) throws, so that tests catch a planner that emits one. New batches, allocations and backorders
/// go at the end of their list; everything else keeps its place.
/// </summary>
/// <remarks>
/// Only the batches and order lines that the plan names are indexed: a plan of a few thousand actions on
/// a million batches costs a pass over them, not an index of them all.
/// </remarks>
public static class StockSimulator
{
    /// <summary>The batch an action names, if any.</summary>
    private static string? BatchOf(StockAction action) => action switch
    {
        CreateBatch c => c.Ref,
        ChangeQuantity c => c.Ref,
        ChangeEta c => c.Ref,
        RemoveBatch r => r.Ref,
        Allocate a => a.BatchRef,
        _ => null,
    };

    /// <summary>The order line an action names, if any.</summary>
    private static LineKey? LineOf(StockAction action) => action switch
    {
        Deallocate d => new LineKey(d.OrderId, d.Sku),
        Allocate a => new LineKey(a.OrderId, a.Sku),
        OutOfStock o => new LineKey(o.OrderId, o.Sku),
        _ => null,
    };

    public static StockState Apply(StockState state, Seq<StockAction> plan)
    {
        var refs = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var keys = new System.Collections.Generic.HashSet<LineKey>();
        var orders = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan)
        {
            if (BatchOf(action) is { } batchRef)
            {
                refs.Add(batchRef);
            }
            if (LineOf(action) is { } line)
            {
                keys.Add(line);
                orders.Add(line.OrderId);
            }
        }
        // An order line is named only if its order is: the order id alone is the cheaper test.
        var batches = new Slots<string, Batch>(state.Batches, b => b.Ref, b => refs.Contains(b.Ref), refs.Comparer);
        var allocations = new Slots<LineKey, Allocation>(state.Allocations, a => a.Key, a => orders.Contains(a.OrderId) && keys.Contains(a.Key), keys.Comparer);
        var backorders = new Slots<LineKey, OrderLine>(state.Backorders, l => l.Key, l => orders.Contains(l.OrderId) && keys.Contains(l.Key), keys.Comparer);
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

    /// <summary>
    /// An ordered list with an index by key; removed entries leave a hole until the end. Only the keys
    /// that the plan names (<c>named</c> says which) are indexed, since no other key is ever looked up.
    /// </summary>
    private sealed class Slots<TKey, TValue>
        where TKey : notnull
        where TValue : class
    {
        private readonly List<TValue?> items;
        private readonly Dictionary<TKey, int> index;
        private readonly Func<TValue, TKey> keyOf;
        private int holes;

        public Slots(Seq<TValue> values, Func<TValue, TKey> keyOf, Func<TValue, bool> named, IEqualityComparer<TKey> comparer)
        {
            this.keyOf = keyOf;
            items = new List<TValue?>(values.Count);
            index = new Dictionary<TKey, int>(comparer);
            foreach (var value in values)
            {
                if (named(value))
                {
                    Append(value);
                }
                else
                {
                    items.Add(value);
                }
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
            holes++;
            return value;
        }

        public Seq<TValue> ToSeq()
        {
            var kept = new TValue[items.Count - holes];
            var k = 0;
            foreach (var value in items)
            {
                if (value is not null)
                {
                    kept[k++] = value;
                }
            }
            return kept.ToSeq();
        }
    }
}
