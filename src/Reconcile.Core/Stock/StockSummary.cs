using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>How many actions of each kind a plan has.</summary>
public sealed record StockSummary(
    int CreateBatch,
    int ChangeQuantity,
    int ChangeEta,
    int RemoveBatch,
    int Deallocate,
    int Allocate,
    int OutOfStock)
{
    /// <summary>Distinct batches whose quantity or eta changes.</summary>
    public int BatchesChanged { get; init; }

    /// <summary>Lines allocated to another batch after being deallocated from theirs.</summary>
    public int Moved { get; init; }

    /// <summary>Lines allocated that held no batch before: backorders filled, new orders placed.</summary>
    public int NewlyAllocated => Allocate - Moved;

    public bool IsEmpty => CreateBatch + ChangeQuantity + ChangeEta + RemoveBatch + Deallocate + Allocate + OutOfStock == 0;

    public static StockSummary Of(Seq<StockAction> plan)
    {
        int create = 0, quantity = 0, eta = 0, remove = 0, deallocate = 0, allocate = 0, outOfStock = 0;
        int moved = 0;
        var changed = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var deallocated = new System.Collections.Generic.HashSet<LineKey>();
        foreach (var action in plan)
        {
            switch (action)
            {
                case Stock.CreateBatch:
                    create++;
                    break;
                case ChangeQuantity c:
                    quantity++;
                    changed.Add(c.Ref);
                    break;
                case ChangeEta c:
                    eta++;
                    changed.Add(c.Ref);
                    break;
                case Stock.RemoveBatch:
                    remove++;
                    break;
                case Stock.Deallocate d:
                    deallocate++;
                    deallocated.Add(new LineKey(d.OrderId, d.Sku));
                    break;
                case Stock.Allocate a:
                    allocate++;
                    moved += deallocated.Contains(new LineKey(a.OrderId, a.Sku)) ? 1 : 0;
                    break;
                case Stock.OutOfStock:
                    outOfStock++;
                    break;
                default:
                    throw new ArgumentException($"unknown action {action}", nameof(plan));
            }
        }
        return new StockSummary(create, quantity, eta, remove, deallocate, allocate, outOfStock) { BatchesChanged = changed.Count, Moved = moved };
    }
}
