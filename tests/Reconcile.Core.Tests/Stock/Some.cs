using LanguageExt;
using Reconcile.Core.Stock;

namespace Reconcile.Core.Tests.Stock;

/// <summary>Canned values for example tests.</summary>
public static class Some
{
    public static readonly DateOnly Soon = new(2025, 2, 1);
    public static readonly DateOnly Later = new(2025, 3, 1);

    public static Batch InStock(string reference, int qty, string sku = "RED-CHAIR") => new(reference, sku, qty, null);

    public static Batch Arriving(string reference, int qty, DateOnly eta, string sku = "RED-CHAIR") => new(reference, sku, qty, eta);

    public static Allocation Line(string orderId, int qty, string batchRef, string sku = "RED-CHAIR") => new(orderId, sku, qty, batchRef);

    public static OrderLine Backorder(string orderId, int qty, string sku = "RED-CHAIR") => new(orderId, sku, qty);

    public static StockState State(Batch[] batches, Allocation[]? allocations = null, OrderLine[]? backorders = null) =>
        new(batches.ToSeq(), (allocations ?? []).ToSeq(), (backorders ?? []).ToSeq());

    public static Seq<Batch> Feed(params Batch[] batches) => batches.ToSeq();

    public static RawTable<RawBatch> Batches(string file, params RawBatch[] rows) => new(file, rows);

    public static StateRows StateRows(RawBatch[] batches, RawAllocation[]? allocations = null, RawOrderLine[]? backorders = null) =>
        new(
            new RawTable<RawBatch>("state/batches.csv", batches),
            new RawTable<RawAllocation>("state/allocations.csv", allocations ?? []),
            new RawTable<RawOrderLine>("state/unallocated.csv", backorders ?? []));
}
