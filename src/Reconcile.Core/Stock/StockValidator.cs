using System.Globalization;
using System.Runtime.InteropServices;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Reconcile.Core.Stock;

/// <summary>
/// Turns rows as text into a consistent snapshot, or into every error at once: all-or-nothing, so a
/// run never acts on half a file. Errors come out by file (in the order the files are given), then by line.
/// </summary>
/// <remarks>
/// One index of the state's batch references serves every check that needs one: duplicates in the
/// state, the feed's batches (each looked up once, for its sku and for duplicates in the feed) and the
/// allocations' batches.
/// </remarks>
public static class StockValidator
{
    public static Validation<StockError, StockInput> ValidateStock(RawTable<RawBatch> feed, StateRows state)
    {
        var errors = new List<StockError>();
        var (stateBatches, refs) = StateBatches(state.Batches, errors);
        var feedBatches = FeedBatches(feed, errors, refs);
        var (lines, allocations, batchOfAllocation) = Lines(state, stateBatches, refs, errors);
        return Result(errors, [feed.File, state.Batches.File, state.Allocations.File, state.Backorders.File], () =>
            new StockInput(feedBatches.Values(), lines)
            {
                // Without errors, every state row is a batch of its own, numbered as it stands.
                Links = new StockLinks(stateBatches.Array(), feedBatches.Array(), feedBatches.Numbers, allocations, batchOfAllocation),
            });
    }

    public static Validation<StockError, AllocateInput> ValidateAllocate(RawTable<RawOrderLine> orders, StateRows state)
    {
        var errors = new List<StockError>();
        var (stateBatches, refs) = StateBatches(state.Batches, errors);
        var (lines, _, _) = Lines(state, stateBatches, refs, errors);
        var skus = new System.Collections.Generic.HashSet<string>(refs.Skus, StringComparer.Ordinal);
        var known = new Dictionary<LineKey, (string File, int Line, long Qty)>();
        foreach (var row in state.Allocations.Rows)
        {
            known.TryAdd(new LineKey(row.OrderId, row.Sku), (state.Allocations.File, row.Line, ParseCount(row.Qty) ?? 0));
        }
        foreach (var row in state.Backorders.Rows)
        {
            known.TryAdd(new LineKey(row.OrderId, row.Sku), (state.Backorders.File, row.Line, ParseCount(row.Qty) ?? 0));
        }
        var accepted = new List<OrderLine>();
        foreach (var (line, order) in OrderLines(orders, errors, new SeenLines(orders.Rows.Count)))
        {
            if (known.TryGetValue(order.Key, out var existing))
            {
                // A line already allocated or backordered is left alone, whatever became of its sku's
                // batches since, so a file submitted again never fails where it passed before. The same
                // line with another quantity is an amended order, not a repeat: refusing it is safer
                // than silently keeping the old quantity.
                if (existing.Qty != order.Qty)
                {
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
            else if (!skus.Contains(order.Sku))
            {
                errors.Add(new StockError(orders.File, line, $"unknown sku '{order.Sku}': no batch of it in {state.Batches.File}"));
            }
            else
            {
                accepted.Add(order);
            }
        }
        return Result(errors, [orders.File, state.Batches.File, state.Allocations.File, state.Backorders.File], () =>
            new AllocateInput(accepted.ToSeq(), lines));
    }

    public static Validation<StockError, StockState> ValidateState(StateRows state)
    {
        var errors = new List<StockError>();
        var (batches, refs) = StateBatches(state.Batches, errors);
        var (lines, _, _) = Lines(state, batches, refs, errors);
        return Result(errors, [state.Batches.File, state.Allocations.File, state.Backorders.File], () => lines);
    }

    private static Validation<StockError, T> Result<T>(List<StockError> errors, string[] fileOrder, Func<T> success) =>
        errors.Count == 0
            ? Success<StockError, T>(success())
            : Validation<StockError, T>.Fail(BadRows.Sorted(errors, fileOrder));

    /// <summary>
    /// The first row of each reference in the state's batches, valid or not (so that a bad batch row does
    /// not also make every allocation to it an "unknown batch"), numbered in file order.
    /// </summary>
    private sealed class StateRefs(string file, int capacity)
    {
        private readonly Dictionary<string, int> numbers = new(capacity, StringComparer.Ordinal);

        public string File { get; } = file;

        public List<string> Refs { get; } = new(capacity);

        public List<string> Skus { get; } = new(capacity);

        public List<int> Lines { get; } = new(capacity);

        public int Count => Refs.Count;

        /// <summary>Numbers the first row of <paramref name="reference"/>; for a later row, returns the
        /// number of the first one instead, else -1.</summary>
        public int Add(string reference, string sku, int line)
        {
            if (!numbers.TryAdd(reference, Refs.Count))
            {
                return numbers[reference];
            }
            Refs.Add(reference);
            Skus.Add(sku);
            Lines.Add(line);
            return -1;
        }

        /// <summary>
        /// The number of <paramref name="reference"/>, or -1. A feed usually lists its batches in the order
        /// the state does, so the reference after the one found last is tried first: a comparison of two
        /// strings instead of a lookup in a table of a million.
        /// </summary>
        public int Find(string reference, int last)
        {
            var next = last + 1;
            if (next < Refs.Count && string.Equals(Refs[next], reference, StringComparison.Ordinal))
            {
                return next;
            }
            return Find(reference);
        }

        /// <summary>The number of <paramref name="reference"/>, or -1.</summary>
        public int Find(string reference) => numbers.TryGetValue(reference, out var number) ? number : -1;
    }

    /// <summary>Valid batches, in file order, each with a number (a feed's: the number of the state's
    /// batch of the same reference, or -1).</summary>
    private sealed class BatchRows(int rows)
    {
        private Batch[] valid = new Batch[rows];
        private int[] numbers = new int[rows];
        private int count;

        public int[] Numbers => Fit(ref numbers);

        public void Add(Batch batch, int number = -1)
        {
            numbers[count] = number;
            valid[count++] = batch;
        }

        public Batch[] Array() => Fit(ref valid);

        public Seq<Batch> Values() => Array().ToSeq();

        private T[] Fit<T>(ref T[] array)
        {
            if (count < array.Length)
            {
                System.Array.Resize(ref array, count);
            }
            return array;
        }
    }

    /// <summary>Validates the state's batch rows and numbers the first row of each reference.</summary>
    private static (BatchRows Rows, StateRefs Refs) StateBatches(RawTable<RawBatch> table, List<StockError> errors)
    {
        var rows = new BatchRows(table.Rows.Count);
        var refs = new StateRefs(table.File, table.Rows.Count);
        foreach (ref readonly var row in Rows(table.Rows))
        {
            var before = errors.Count;
            var (qty, eta) = BatchValues(table.File, row, errors);
            if (!IsBlank(row.Ref) && refs.Add(row.Ref, row.Sku, row.Line) is var first and >= 0)
            {
                errors.Add(new StockError(table.File, row.Line, $"duplicate ref '{row.Ref}': also on line {refs.Lines[first]}"));
                continue;
            }
            if (errors.Count == before)
            {
                rows.Add(new Batch(row.Ref, row.Sku, qty, eta));
            }
        }
        return (rows, refs);
    }

    /// <summary>
    /// Validates the feed's batch rows. Each is looked up in the state's references, once: for a duplicate
    /// reference in the feed, and for a batch whose sku is not the one the state has for it.
    /// </summary>
    private static BatchRows FeedBatches(RawTable<RawBatch> table, List<StockError> errors, StateRefs state)
    {
        var rows = new BatchRows(table.Rows.Count);
        // The feed's first line for each reference: by the state's number for it, or by reference for a new one.
        var feedLines = new int[state.Count];
        var newRefs = new Dictionary<string, int>(StringComparer.Ordinal);
        var skuChanges = new List<StockError>();
        var last = -1;
        foreach (ref readonly var row in Rows(table.Rows))
        {
            var before = errors.Count;
            var (qty, eta) = BatchValues(table.File, row, errors);
            var number = -1;
            if (!IsBlank(row.Ref))
            {
                var first = 0;
                number = state.Find(row.Ref, last);
                if (number >= 0)
                {
                    last = number;
                    first = feedLines[number];
                    if (first == 0)
                    {
                        feedLines[number] = row.Line;
                    }
                }
                else if (!newRefs.TryAdd(row.Ref, row.Line))
                {
                    first = newRefs[row.Ref];
                }
                if (first != 0)
                {
                    errors.Add(new StockError(table.File, row.Line, $"duplicate ref '{row.Ref}': also on line {first}"));
                    continue;
                }
            }
            if (errors.Count == before)
            {
                // A batch the state has takes the state's strings: equal text, held once.
                var sameSku = number >= 0 && string.Equals(state.Skus[number], row.Sku, StringComparison.Ordinal);
                rows.Add(new Batch(number >= 0 ? state.Refs[number] : row.Ref, sameSku ? state.Skus[number] : row.Sku, qty, eta), number);
                if (number >= 0 && !sameSku && state.Skus[number] is var sku && !IsBlank(sku))
                {
                    skuChanges.Add(new StockError(
                        table.File,
                        row.Line,
                        $"batch '{row.Ref}' has sku '{row.Sku}' here but '{sku}' at {state.File}:{state.Lines[number]}; a batch's sku never changes"));
                }
            }
        }
        errors.AddRange(skuChanges);
        return rows;
    }

    /// <summary>Checks the fields of a batch row (every bad one is reported); the qty and eta when they are good.</summary>
    private static (long Qty, DateOnly? Eta) BatchValues(string file, in RawBatch row, List<StockError> errors)
    {
        Required(file, row.Line, "ref", row.Ref, errors);
        Required(file, row.Line, "sku", row.Sku, errors);
        var qty = ParseCount(row.Qty);
        if (qty is null)
        {
            errors.Add(new StockError(file, row.Line, BadQty(row.Qty, "non-negative")));
        }
        DateOnly? eta = null;
        if (row.Eta.Length > 0)
        {
            if (ParseDate(row.Eta) is { } date)
            {
                eta = date;
            }
            else
            {
                errors.Add(new StockError(file, row.Line, $"eta '{row.Eta}' is not a real date (yyyy-MM-dd, or empty for in stock)"));
            }
        }
        return (qty ?? 0, eta);
    }

    /// <summary>The valid order lines: the state they make with the batches, and the allocations with
    /// the number of each one's batch.</summary>
    private static (StockState State, Allocation[] Allocations, int[] Batches) Lines(StateRows state, BatchRows batches, StateRefs refs, List<StockError> errors)
    {
        var seen = new SeenLines(state.Allocations.Rows.Count + state.Backorders.Rows.Count);
        var allocations = new Allocation[state.Allocations.Rows.Count];
        var numbers = new int[allocations.Length];
        var count = 0;
        foreach (ref readonly var row in Rows(state.Allocations.Rows))
        {
            var file = state.Allocations.File;
            var before = errors.Count;
            var (keyed, qty) = LineFields(file, row.Line, row.OrderId, row.Sku, row.Qty, errors);
            Required(file, row.Line, "batchref", row.BatchRef, errors);
            var duplicate = keyed && Duplicate(file, row.Line, new LineKey(row.OrderId, row.Sku), seen, errors);
            var number = -1;
            if (!IsBlank(row.BatchRef))
            {
                number = refs.Find(row.BatchRef);
                if (number < 0)
                {
                    errors.Add(new StockError(file, row.Line, $"allocation names unknown batch '{row.BatchRef}'"));
                }
                else if (refs.Skus[number] is var sku && !IsBlank(row.Sku) && !IsBlank(sku) && !string.Equals(sku, row.Sku, StringComparison.Ordinal))
                {
                    errors.Add(new StockError(
                        file,
                        row.Line,
                        $"allocation has sku '{row.Sku}' but batch '{row.BatchRef}' holds '{sku}' ({state.Batches.File}:{refs.Lines[number]})"));
                }
            }
            if (errors.Count == before && !duplicate && keyed)
            {
                // The line's batch and sku are the state's: equal text, held once.
                numbers[count] = number;
                allocations[count++] = new Allocation(row.OrderId, refs.Skus[number], qty, refs.Refs[number]);
            }
        }
        if (count < allocations.Length)
        {
            System.Array.Resize(ref allocations, count);
            System.Array.Resize(ref numbers, count);
        }
        var backorders = OrderLines(state.Backorders, errors, seen);
        var waiting = new OrderLine[backorders.Count];
        for (var i = 0; i < waiting.Length; i++)
        {
            waiting[i] = backorders[i].Line;
        }
        return (new StockState(batches.Values(), allocations.ToSeq(), waiting.ToSeq()), allocations, numbers);
    }

    private static List<(int Row, OrderLine Line)> OrderLines(
        RawTable<RawOrderLine> table,
        List<StockError> errors,
        SeenLines seen)
    {
        var result = new List<(int, OrderLine)>(table.Rows.Count);
        foreach (ref readonly var row in Rows(table.Rows))
        {
            var before = errors.Count;
            var (keyed, qty) = LineFields(table.File, row.Line, row.OrderId, row.Sku, row.Qty, errors);
            var duplicate = keyed && Duplicate(table.File, row.Line, new LineKey(row.OrderId, row.Sku), seen, errors);
            if (errors.Count == before && !duplicate && keyed)
            {
                result.Add((row.Line, new OrderLine(row.OrderId, row.Sku, qty)));
            }
        }
        return result;
    }

    /// <summary>Checks the fields of an order line (every bad one is reported): whether it has a key
    /// (order id and sku), and its qty. A line with a bad qty still has a key, so duplicates are reported
    /// too; its qty is then 0.</summary>
    private static (bool Keyed, long Qty) LineFields(string file, int line, string orderId, string sku, string qtyText, List<StockError> errors)
    {
        var okId = Required(file, line, "orderid", orderId, errors);
        var okSku = Required(file, line, "sku", sku, errors);
        var qty = ParseCount(qtyText);
        if (qty is null or 0)
        {
            errors.Add(new StockError(file, line, BadQty(qtyText, "positive")));
        }
        return (okId && okSku, qty ?? 0);
    }

    private static bool Duplicate(string file, int line, LineKey key, SeenLines seen, List<StockError> errors)
    {
        if (seen.Add(key, file, line) is not { } first)
        {
            return false;
        }
        var where = string.Equals(first.File, file, StringComparison.Ordinal) ? $"line {first.Line}" : $"{first.File}:{first.Line}";
        errors.Add(new StockError(file, line, $"duplicate order line {key}: also at {where}"));
        return true;
    }

    /// <summary>
    /// The order lines seen so far, each with where it was first seen. Indexed by order id, then a short
    /// chain of its skus: an order rarely has more than a few lines, and a table keyed by text alone is
    /// the framework's fastest.
    /// </summary>
    private sealed class SeenLines(int capacity)
    {
        private readonly Dictionary<string, int> byOrder = new(capacity, StringComparer.Ordinal);
        private readonly List<string> skus = new(capacity);
        private readonly List<string> files = new(capacity);
        private readonly List<int> lines = new(capacity);
        private readonly List<int> next = new(capacity);

        /// <summary>Records <paramref name="key"/> as seen at <paramref name="file"/>:<paramref name="line"/>,
        /// unless it was seen before: then returns where, and records nothing.</summary>
        public (string File, int Line)? Add(LineKey key, string file, int line)
        {
            if (byOrder.TryAdd(key.OrderId, skus.Count))
            {
                Append(key.Sku, file, line, -1);
                return null;
            }
            var head = byOrder[key.OrderId];
            for (var i = head; i >= 0; i = next[i])
            {
                if (string.Equals(skus[i], key.Sku, StringComparison.Ordinal))
                {
                    return (files[i], lines[i]);
                }
            }
            byOrder[key.OrderId] = skus.Count;
            Append(key.Sku, file, line, head);
            return null;
        }

        private void Append(string sku, string file, int line, int then)
        {
            skus.Add(sku);
            files.Add(file);
            lines.Add(line);
            next.Add(then);
        }
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

    /// <summary>The rows as one span: millions of them are read without a call for each.</summary>
    private static ReadOnlySpan<T> Rows<T>(IReadOnlyList<T> rows) => rows switch
    {
        T[] array => array,
        List<T> list => CollectionsMarshal.AsSpan(list),
        _ => rows.ToArray(),
    };

    /// <summary>The largest quantity: a quantity is a 64-bit count.</summary>
    public const long MaxQty = long.MaxValue;

    /// <summary>Digits only: no sign, spaces, separators or exponent, in any culture. Null for anything
    /// else, and for digits whose value does not fit a 64-bit count (<see cref="TooLarge"/> tells them apart).</summary>
    internal static long? ParseCount(string text)
    {
        // Up to eighteen ASCII digits cannot overflow: read them directly. Anything else is left to the
        // framework, which decides exactly as before.
        if (text.Length is > 0 and <= 18)
        {
            var value = 0L;
            foreach (var c in text)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return Parsed(text);
                }
                value = (value * 10) + (c - '0');
            }
            return value;
        }
        return Parsed(text);

        static long? Parsed(string text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Whether <paramref name="text"/> is digits only, but too many for a 64-bit count.</summary>
    internal static bool TooLarge(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && ParseCount(text) is null;

    /// <summary>What is wrong with a quantity that did not parse: too large, or not digits at all.</summary>
    private static string BadQty(string text, string kind) =>
        TooLarge(text)
            ? $"qty '{text}' is too large (at most {MaxQty.ToString(CultureInfo.InvariantCulture)})"
            : $"qty '{text}' is not a {kind} integer";

    /// <summary>A real date written <c>yyyy-MM-dd</c>, or null.</summary>
    internal static DateOnly? ParseDate(string text)
    {
        // The framework's parser is slow for millions of rows; a well-formed real date is read directly,
        // and everything else is left to it, so that what is accepted does not change.
        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && Digits(text, 0, 4) is var year and >= 1
            && Digits(text, 5, 2) is var month and >= 1 and <= 12
            && Digits(text, 8, 2) is var day and >= 1
            && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

        static int Digits(string text, int start, int count)
        {
            var value = 0;
            for (var i = start; i < start + count; i++)
            {
                if (!char.IsAsciiDigit(text[i]))
                {
                    return -1;
                }
                value = (value * 10) + (text[i] - '0');
            }
            return value;
        }
    }
}
