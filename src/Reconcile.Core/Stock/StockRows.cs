using LanguageExt;

namespace Reconcile.Core.Stock;

/// <summary>A bad row (or file) of an input: <c>FILE:LINE: message</c>. Line 0 means the whole file.</summary>
public sealed record StockError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>A batch row as text, before validation. <c>Line</c> is the physical line in its file.</summary>
public readonly record struct RawBatch(int Line, string Ref, string Sku, string Qty, string Eta);

/// <summary>An allocation row as text, before validation.</summary>
public readonly record struct RawAllocation(int Line, string OrderId, string Sku, string Qty, string BatchRef);

/// <summary>An order line row (a backorder or a new order) as text, before validation.</summary>
public readonly record struct RawOrderLine(int Line, string OrderId, string Sku, string Qty);

/// <summary>The rows of one input file, in file order, named as they are reported.</summary>
public sealed record RawTable<T>(string File, IReadOnlyList<T> Rows);

/// <summary>The rows of the state (batches, allocations, backorders) as text, before validation.</summary>
public sealed record StateRows(
    RawTable<RawBatch> Batches,
    RawTable<RawAllocation> Allocations,
    RawTable<RawOrderLine> Backorders);

/// <summary>A validated feed and the state it is reconciled with.</summary>
public sealed record StockInput(Seq<Batch> Feed, StockState State)
{
    /// <summary>
    /// How the validator matched the feed's batches and the allocations to the state's batches, so that
    /// the planner does not look every reference up again. Only the validator sets it; a copy made with
    /// <c>with</c> does not keep it (it might no longer fit), and it takes no part in equality.
    /// </summary>
    internal StockLinks? Links { get; init; }

    private StockInput(StockInput original)
    {
        Feed = original.Feed;
        State = original.State;
    }

    public bool Equals(StockInput? other) =>
        other is not null && Feed.Equals(other.Feed) && State.Equals(other.State);

    public override int GetHashCode() => HashCode.Combine(Feed, State);
}

/// <summary>Validated new order lines and the state they are allocated in.</summary>
public sealed record AllocateInput(Seq<OrderLine> Orders, StockState State);
