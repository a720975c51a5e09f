using System.Globalization;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Reconcile.Core.Stock;
using Reconcile.Shell.Common;

namespace Reconcile.Shell.Stock;

/// <summary>
/// A stock or allocate plan saved with <c>--dry-run --plan-out FILE</c>: the request (the input file's
/// absolute path, the store's locator, mode, guard), the SHA-256 of the input file as it was read, the
/// store's version, and the actions. <c>reconcile apply FILE</c> carries it out only if neither changed.
/// </summary>
internal sealed record SavedStockPlan(StockRequest Request, string? InputSha256, StoreVersion StoreVersion, Seq<StockAction> Actions)
{
    public const string StockKind = "stock";
    public const string AllocateKind = "allocate";

    public static SavedStockPlan Of(StockRequest request, IStockStore store, GatheredStock gathered, Seq<StockAction> plan) =>
        new(
            request with { InputPath = Path.GetFullPath(request.InputPath), Store = store.Locator },
            gathered.Input.Sha256,
            gathered.Version ?? throw new InvalidOperationException("a saved plan records the store's version"),
            plan);

    public static void Save(string path, SavedStockPlan plan) =>
        PlanFile.Save(new System.IO.Abstractions.FileSystem(), path, writer => writer.WriteLine(Write(plan)));

    public static string Write(SavedStockPlan plan) =>
        JsonText.Document(json =>
        {
            json.WriteStartObject();
            json.WriteNumber(PlanFile.FormatField, PlanFile.Version);
            json.WriteString("kind", plan.Request.Kind == StockJobKind.Stock ? StockKind : AllocateKind);
            json.WriteString(plan.Request.Kind == StockJobKind.Stock ? "feed" : "orders", plan.Request.InputPath);
            json.WriteString("store", plan.Request.Store);
            json.WriteStartObject("options");
            json.WriteString("mode", plan.Request.Mode == StockMode.Full ? "full" : "partial");
            json.WriteNumberOrNull("max_remove", plan.Request.MaxRemove);
            json.WriteEndObject();
            json.WriteStringOrNull("input_sha256", plan.InputSha256);
            json.WriteString("store_version", plan.StoreVersion.Token);
            json.WriteStartArray("actions");
            foreach (var action in plan.Actions)
            {
                StockPlanFormatter.WriteAction(json, action);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });

    /// <summary>Reads what <see cref="Write"/> writes; anything else is a <see cref="PlanFormatException"/>.</summary>
    public static SavedStockPlan Read(JsonElement root)
    {
        var kind = PlanFile.Kind(root) switch
        {
            StockKind => StockJobKind.Stock,
            AllocateKind => StockJobKind.Allocate,
            var other => throw new PlanFormatException($"a plan of kind \"{other}\", not a stock plan"),
        };
        var options = PlanFile.Section(root, "options");
        var mode = PlanFile.Text(options, "mode") switch
        {
            "full" => StockMode.Full,
            "partial" => StockMode.Partial,
            var other => throw new PlanFormatException($"unknown mode \"{other}\""),
        };
        int? maxRemove = options.TryGetProperty("max_remove", out var max) && max.ValueKind == JsonValueKind.Number
            ? max.GetInt32()
            : null;
        var request = new StockRequest(kind, PlanFile.Root(root, kind == StockJobKind.Stock ? "feed" : "orders"), StoreLocator(root), mode, maxRemove);
        var inputSha256 = root.TryGetProperty("input_sha256", out var sha) && sha.ValueKind is JsonValueKind.String or JsonValueKind.Null
            ? sha.GetString()
            : throw new PlanFormatException("\"input_sha256\" must be a string or null");
        var version = new StoreVersion(PlanFile.Text(root, "store_version"));
        var actions = PlanFile.Array(root, "actions").EnumerateArray().Select(ReadAction).ToSeq().Strict();
        return new SavedStockPlan(request, inputSha256, version, actions);
    }

    /// <summary>The plan's <c>store</c>: a locator as <see cref="IStockStore.Locator"/> writes it.</summary>
    private static string StoreLocator(JsonElement root)
    {
        var locator = PlanFile.Text(root, "store");
        return StockStores.IsLocator(locator)
            ? locator
            : throw new PlanFormatException($"\"store\" must be an absolute, normalized path or sqlite:PATH, not '{locator}'");
    }

    public static StockAction ReadAction(JsonElement action)
    {
        if (action.ValueKind != JsonValueKind.Object)
        {
            throw new PlanFormatException("an action must be an object");
        }
        var op = PlanFile.Text(action, "op");
        return op switch
        {
            "create_batch" => new CreateBatch(PlanFile.Text(action, "ref"), PlanFile.Text(action, "sku"), Number(action, "qty"), Eta(action, "eta")),
            "change_quantity" => new ChangeQuantity(PlanFile.Text(action, "ref"), Number(action, "from"), Number(action, "to")),
            "change_eta" => new ChangeEta(PlanFile.Text(action, "ref"), Eta(action, "from"), Eta(action, "to")),
            "remove_batch" => new RemoveBatch(PlanFile.Text(action, "ref")),
            "deallocate" => new Deallocate(PlanFile.Text(action, "orderid"), PlanFile.Text(action, "sku"), Number(action, "qty"), PlanFile.Text(action, "batchref")),
            "allocate" => new Allocate(PlanFile.Text(action, "orderid"), PlanFile.Text(action, "sku"), Number(action, "qty"), PlanFile.Text(action, "batchref")),
            "out_of_stock" => new OutOfStock(PlanFile.Text(action, "orderid"), PlanFile.Text(action, "sku"), Number(action, "qty")),
            _ => throw new PlanFormatException($"unknown stock op \"{op}\""),
        };
    }

    private static long Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : throw new PlanFormatException($"\"{name}\" must be a whole number");

    private static DateOnly? Eta(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            throw new PlanFormatException($"\"{name}\" is missing");
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new PlanFormatException($"\"{name}\" must be a yyyy-MM-dd date or null");
    }
}
