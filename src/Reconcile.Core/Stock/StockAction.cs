namespace Reconcile.Core.Stock;

/// <summary>One step of a stock plan. The shell interprets them in one exhaustive switch.</summary>
public abstract record StockAction;

public sealed record CreateBatch(string Ref, string Sku, long Qty, DateOnly? Eta) : StockAction;

public sealed record ChangeQuantity(string Ref, long From, long To) : StockAction;

public sealed record ChangeEta(string Ref, DateOnly? From, DateOnly? To) : StockAction;

public sealed record RemoveBatch(string Ref) : StockAction;

public sealed record Deallocate(string OrderId, string Sku, long Qty, string BatchRef) : StockAction;

public sealed record Allocate(string OrderId, string Sku, long Qty, string BatchRef) : StockAction;

/// <summary>The line fits in no batch: it is (or stays) a backorder at the end of the waiting line.</summary>
public sealed record OutOfStock(string OrderId, string Sku, long Qty) : StockAction;
