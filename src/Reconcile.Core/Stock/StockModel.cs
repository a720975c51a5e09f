using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>A batch of stock. <c>Eta</c> is null when the stock is in the warehouse now.</summary>
public sealed record Batch(string Ref, string Sku, long Qty, DateOnly? Eta);

/// <summary>An order line, identified by <c>(OrderId, Sku)</c>.</summary>
public sealed record OrderLine(string OrderId, string Sku, long Qty)
{
    public LineKey Key => new(OrderId, Sku);
}

/// <summary>An order line allocated to a batch.</summary>
public sealed record Allocation(string OrderId, string Sku, long Qty, string BatchRef)
{
    public LineKey Key => new(OrderId, Sku);

    public OrderLine Line => new(OrderId, Sku, Qty);
}

/// <summary>The identity of an order line. String equality is ordinal.</summary>
public readonly record struct LineKey(string OrderId, string Sku)
{
    public override string ToString() => $"({OrderId}, {Sku})";
}

/// <summary>
/// The stock system of record. Order matters and is kept: batches in file order, allocations oldest
/// first (allocation order), backorders oldest first (the waiting line).
/// </summary>
public sealed record StockState(Seq<Batch> Batches, Seq<Allocation> Allocations, Seq<OrderLine> Backorders)
{
    public static StockState Empty { get; } = new([], [], []);
}

public enum StockMode
{
    /// <summary>The feed is the whole truth: batches absent from it are removed.</summary>
    Full,

    /// <summary>The feed is a partial update: batches absent from it are left alone.</summary>
    Partial,
}
