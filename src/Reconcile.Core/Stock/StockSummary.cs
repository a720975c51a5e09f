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

    public bool IsEmpty => CreateBatch + ChangeQuantity + ChangeEta + RemoveBatch + Deallocate + Allocate + OutOfStock == 0;

    public static StockSummary Of(Seq<StockAction> plan)
    {
        int create = 0, quantity = 0, eta = 0, remove = 0, deallocate = 0, allocate = 0, outOfStock = 0;
        var changed = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
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
                case Stock.Deallocate:
                    deallocate++;
                    break;
                case Stock.Allocate:
                    allocate++;
                    break;
                case Stock.OutOfStock:
                    outOfStock++;
                    break;
                default:
                    throw new ArgumentException($"unknown action {action}", nameof(plan));
            }
        }
        return new StockSummary(create, quantity, eta, remove, deallocate, allocate, outOfStock) { BatchesChanged = changed.Count };
    }
}
