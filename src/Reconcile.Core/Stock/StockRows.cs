using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>A bad row (or file) of an input: <c>FILE:LINE: message</c>. Line 0 means the whole file.</summary>
public sealed record StockError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>A batch row as text, before validation. <c>Line</c> is the physical line in its file.</summary>
public sealed record RawBatch(int Line, string Ref, string Sku, string Qty, string Eta);

/// <summary>An allocation row as text, before validation.</summary>
public sealed record RawAllocation(int Line, string OrderId, string Sku, string Qty, string BatchRef);

/// <summary>An order line row (a backorder or a new order) as text, before validation.</summary>
public sealed record RawOrderLine(int Line, string OrderId, string Sku, string Qty);

/// <summary>The rows of one input file, in file order, named as they are reported.</summary>
public sealed record RawTable<T>(string File, Seq<T> Rows);

/// <summary>The three state files as read.</summary>
public sealed record RawState(
    RawTable<RawBatch> Batches,
    RawTable<RawAllocation> Allocations,
    RawTable<RawOrderLine> Backorders);

/// <summary>A validated feed and the state it is reconciled with.</summary>
public sealed record StockInput(Seq<Batch> Feed, StockState State);

/// <summary>Validated new order lines and the state they are allocated in.</summary>
public sealed record AllocateInput(Seq<OrderLine> Orders, StockState State);
