using System.Globalization;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>
/// Turns rows as text into a consistent snapshot, or into every error at once: all-or-nothing, so a
/// run never acts on half a file. Errors come out by file (in the order the files are given), then by line.
/// </summary>
public static class StockValidator
{
    public static Validation<StockError, StockInput> ValidateStock(RawTable<RawBatch> feed, RawState state)
    {
        var errors = new List<StockError>();
        var stateBatches = Batches(state.Batches, errors);
        var feedBatches = Batches(feed, errors);
        foreach (var (line, batch) in feedBatches.Rows)
        {
            if (stateBatches.ByRef.TryGetValue(batch.Ref, out var old) && !IsBlank(old.Sku) && !string.Equals(old.Sku, batch.Sku, StringComparison.Ordinal))
            {
                errors.Add(new StockError(
                    feed.File,
                    line,
                    $"batch '{batch.Ref}' has sku '{batch.Sku}' here but '{old.Sku}' at {state.Batches.File}:{old.Line}; a batch's sku never changes"));
            }
        }
        var lines = Lines(state, stateBatches, errors);
        return Result(errors, [feed.File, state.Batches.File, state.Allocations.File, state.Backorders.File], () =>
            new StockInput(feedBatches.Values(), lines));
    }

    public static Validation<StockError, AllocateInput> ValidateAllocate(RawTable<RawOrderLine> orders, RawState state)
    {
        var errors = new List<StockError>();
        var stateBatches = Batches(state.Batches, errors);
        var lines = Lines(state, stateBatches, errors);
        var skus = new System.Collections.Generic.HashSet<string>(stateBatches.ByRef.Values.Select(b => b.Sku), StringComparer.Ordinal);
        var known = new Dictionary<LineKey, (string File, int Line, int Qty)>();
        foreach (var row in state.Allocations.Rows)
        {
            known.TryAdd(new LineKey(row.OrderId, row.Sku), (state.Allocations.File, row.Line, ParseCount(row.Qty) ?? 0));
        }
        foreach (var row in state.Backorders.Rows)
        {
            known.TryAdd(new LineKey(row.OrderId, row.Sku), (state.Backorders.File, row.Line, ParseCount(row.Qty) ?? 0));
        }
        var orderLines = OrderLines(orders, errors, new Dictionary<LineKey, (string, int)>());
        var accepted = new List<OrderLine>();
        foreach (var (line, order) in orderLines)
        {
            if (!skus.Contains(order.Sku))
            {
                errors.Add(new StockError(orders.File, line, $"unknown sku '{order.Sku}': no batch of it in {state.Batches.File}"));
            }
            else if (known.TryGetValue(order.Key, out var existing) && existing.Qty != order.Qty)
            {
                // The same line with another quantity is an amended order, not a repeat: refusing it is
                // safer than silently keeping the old quantity.
                errors.Add(new StockError(
                    orders.File,
                    line,
                    $"order line {order.Key} has qty {order.Qty} here but {existing.Qty} at {existing.File}:{existing.Line}"));
            }
            else
            {
                accepted.Add(order);
            }
        }
        return Result(errors, [orders.File, state.Batches.File, state.Allocations.File, state.Backorders.File], () =>
            new AllocateInput(accepted.ToSeq(), lines));
    }

    public static Validation<StockError, StockState> ValidateState(RawState state)
    {
        var errors = new List<StockError>();
        var batches = Batches(state.Batches, errors);
        var lines = Lines(state, batches, errors);
        return Result(errors, [state.Batches.File, state.Allocations.File, state.Backorders.File], () => lines);
    }

    private static Validation<StockError, T> Result<T>(List<StockError> errors, string[] fileOrder, Func<T> success)
    {
        if (errors.Count == 0)
        {
            return Success<StockError, T>(success());
        }
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in fileOrder)
        {
            rank.TryAdd(file, rank.Count);
        }
        var sorted = errors
            .OrderBy(e => rank.TryGetValue(e.File, out var r) ? r : int.MaxValue)
            .ThenBy(e => e.File, StringComparer.Ordinal)
            .ThenBy(e => e.Line);
        return Validation<StockError, T>.Fail(sorted.ToArray().ToSeq());
    }

    private sealed class BatchRows
    {
        /// <summary>The first row of each reference, valid or not, so that a bad batch row does not also
        /// make every allocation to it an "unknown batch".</summary>
        public Dictionary<string, (string Sku, int Line)> ByRef { get; } = new(StringComparer.Ordinal);

        public List<(int Line, Batch Batch)> Rows { get; } = [];

        public Seq<Batch> Values() => Rows.Select(r => r.Batch).ToArray().ToSeq();
    }

    private static BatchRows Batches(RawTable<RawBatch> table, List<StockError> errors)
    {
        var result = new BatchRows();
        foreach (var row in table.Rows)
        {
            var before = errors.Count;
            Required(table.File, row.Line, "ref", row.Ref, errors);
            Required(table.File, row.Line, "sku", row.Sku, errors);
            var qty = ParseCount(row.Qty);
            if (qty is null)
            {
                errors.Add(new StockError(table.File, row.Line, $"qty '{row.Qty}' is not a non-negative integer"));
            }
            DateOnly? eta = null;
            if (row.Eta.Length > 0)
            {
                if (DateOnly.TryParseExact(row.Eta, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    eta = date;
                }
                else
                {
                    errors.Add(new StockError(table.File, row.Line, $"eta '{row.Eta}' is not a real date (yyyy-MM-dd, or empty for in stock)"));
                }
            }
            if (!IsBlank(row.Ref) && !result.ByRef.TryAdd(row.Ref, (row.Sku, row.Line)))
            {
                errors.Add(new StockError(table.File, row.Line, $"duplicate ref '{row.Ref}': also on line {result.ByRef[row.Ref].Line}"));
                continue;
            }
            if (errors.Count == before)
            {
                var batch = new Batch(row.Ref, row.Sku, qty!.Value, eta);
                result.Rows.Add((row.Line, batch));
            }
        }
        return result;
    }

    private static StockState Lines(RawState state, BatchRows batches, List<StockError> errors)
    {
        var seen = new Dictionary<LineKey, (string File, int Line)>();
        var allocations = new List<Allocation>();
        foreach (var row in state.Allocations.Rows)
        {
            var file = state.Allocations.File;
            var before = errors.Count;
            var line = OrderLine(file, row.Line, row.OrderId, row.Sku, row.Qty, errors);
            Required(file, row.Line, "batchref", row.BatchRef, errors);
            var duplicate = line is not null && Duplicate(file, row.Line, line.Key, seen, errors);
            if (!IsBlank(row.BatchRef))
            {
                if (!batches.ByRef.TryGetValue(row.BatchRef, out var batch))
                {
                    errors.Add(new StockError(file, row.Line, $"allocation names unknown batch '{row.BatchRef}'"));
                }
                else if (!IsBlank(row.Sku) && !IsBlank(batch.Sku) && !string.Equals(batch.Sku, row.Sku, StringComparison.Ordinal))
                {
                    errors.Add(new StockError(
                        file,
                        row.Line,
                        $"allocation has sku '{row.Sku}' but batch '{row.BatchRef}' holds '{batch.Sku}' ({state.Batches.File}:{batch.Line})"));
                }
            }
            if (errors.Count == before && !duplicate && line is not null)
            {
                allocations.Add(new Allocation(line.OrderId, line.Sku, line.Qty, row.BatchRef));
            }
        }
        var backorders = OrderLines(state.Backorders, errors, seen);
        return new StockState(batches.Values(), allocations.ToSeq(), backorders.Select(b => b.Line).ToArray().ToSeq());
    }

    private static List<(int Row, OrderLine Line)> OrderLines(
        RawTable<RawOrderLine> table,
        List<StockError> errors,
        Dictionary<LineKey, (string File, int Line)> seen)
    {
        var result = new List<(int, OrderLine)>();
        foreach (var row in table.Rows)
        {
            var before = errors.Count;
            var line = OrderLine(table.File, row.Line, row.OrderId, row.Sku, row.Qty, errors);
            var duplicate = line is not null && Duplicate(table.File, row.Line, line.Key, seen, errors);
            if (errors.Count == before && !duplicate && line is not null)
            {
                result.Add((row.Line, line));
            }
        }
        return result;
    }

    /// <summary>The line, or null when it has a bad field (each reported). A line with a bad qty
    /// still has a key, so duplicates are reported too; its qty is then 0.</summary>
    private static OrderLine? OrderLine(string file, int line, string orderId, string sku, string qtyText, List<StockError> errors)
    {
        var okId = Required(file, line, "orderid", orderId, errors);
        var okSku = Required(file, line, "sku", sku, errors);
        var qty = ParseCount(qtyText);
        if (qty is null or 0)
        {
            errors.Add(new StockError(file, line, $"qty '{qtyText}' is not a positive integer"));
        }
        return okId && okSku ? new OrderLine(orderId, sku, qty ?? 0) : null;
    }

    private static bool Duplicate(string file, int line, LineKey key, Dictionary<LineKey, (string File, int Line)> seen, List<StockError> errors)
    {
        if (seen.TryAdd(key, (file, line)))
        {
            return false;
        }
        var first = seen[key];
        var where = string.Equals(first.File, file, StringComparison.Ordinal) ? $"line {first.Line}" : $"{first.File}:{first.Line}";
        errors.Add(new StockError(file, line, $"duplicate order line {key}: also at {where}"));
        return true;
    }

    private static bool Required(string file, int line, string column, string value, List<StockError> errors)
    {
        if (!IsBlank(value))
        {
            return true;
        }
        errors.Add(new StockError(file, line, $"{column} is empty"));
        return false;
    }

    private static bool IsBlank(string value) => string.IsNullOrWhiteSpace(value);

    /// <summary>Digits only: no sign, spaces, separators or exponent, in any culture.</summary>
    internal static int? ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
