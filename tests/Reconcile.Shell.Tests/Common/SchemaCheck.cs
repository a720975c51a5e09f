using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reconcile.Shell.Tests.Common;

/// <summary>
/// Checks a JSON document against docs/plan.schema.json. It knows the JSON Schema keywords that file
/// uses (type, properties, required, additionalProperties, enum, const, oneOf, $ref, items, minimum,
/// minLength, pattern) and fails loudly on any other, so the schema cannot quietly outgrow the check.
/// </summary>
public sealed class SchemaCheck
{
    private static readonly HashSet<string> Known =
    [
        "$schema", "$id", "title", "description", "$defs", "type", "properties", "required",
        "additionalProperties", "enum", "const", "oneOf", "$ref", "items", "minimum", "minLength", "pattern",
    ];

    private readonly JsonElement root;

    private SchemaCheck(JsonElement root) => this.root = root;

    public static SchemaCheck Plans { get; } = Load();

    /// <summary>The problems found, empty when the document is valid.</summary>
    public List<string> Problems(JsonElement document)
    {
        var problems = new List<string>();
        Check(root, document, "$", problems);
        return problems;
    }

    private static SchemaCheck Load()
    {
        var path = Path.Combine(Samples.Root, "..", "docs", "plan.schema.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new SchemaCheck(doc.RootElement.Clone());
    }

    private void Check(JsonElement schema, JsonElement value, string at, List<string> problems)
    {
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Known.Contains(keyword.Name))
            {
                throw new NotSupportedException($"schema keyword {keyword.Name} is not checked");
            }
        }
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Replace("#/$defs/", "", StringComparison.Ordinal);
            Check(root.GetProperty("$defs").GetProperty(name), value, at, problems);
        }
        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var matching = oneOf.EnumerateArray().Count(option =>
            {
                var inner = new List<string>();
                Check(option, value, at, inner);
                return inner.Count == 0;
            });
            if (matching != 1)
            {
                problems.Add($"{at}: matches {matching} of the oneOf alternatives, not exactly one");
            }
        }
        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            // A value of the wrong type gets no further checks: they would only repeat this one.
            problems.Add($"{at}: {value.ValueKind} is not of type {type}");
        }
        else
        {
            CheckValue(schema, value, at, problems);
        }
    }

    /// <summary>The keywords that check a value of the right type: const, enum, bounds, strings, items and properties.</summary>
    private void CheckValue(JsonElement schema, JsonElement value, string at, List<string> problems)
    {
        if (schema.TryGetProperty("const", out var constant) && !JsonEquals(constant, value))
        {
            problems.Add($"{at}: {value} is not {constant}");
        }
        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonEquals(o, value)))
        {
            problems.Add($"{at}: {value} is not one of {options}");
        }
        if (value.ValueKind == JsonValueKind.Number && schema.TryGetProperty("minimum", out var minimum) && value.GetDecimal() < minimum.GetDecimal())
        {
            problems.Add($"{at}: {value} is below {minimum}");
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
            {
                problems.Add($"{at}: '{text}' is shorter than {minLength}");
            }
            if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.CultureInvariant))
            {
                problems.Add($"{at}: '{text}' does not match {pattern}");
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{at}[{i.ToString(CultureInfo.InvariantCulture)}]", problems);
                i++;
            }
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (!value.TryGetProperty(name, out _))
                    {
                        problems.Add($"{at}: missing {name}");
                    }
                }
            }
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    Check(propertySchema, property.Value, $"{at}.{property.Name}", problems);
                }
                else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False)
                {
                    problems.Add($"{at}: unexpected property {property.Name}");
                }
            }
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => TypeMatches(t, value))
            : type.GetString() switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "array" => value.ValueKind == JsonValueKind.Array,
                "string" => value.ValueKind == JsonValueKind.String,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "null" => value.ValueKind == JsonValueKind.Null,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "number" => value.ValueKind == JsonValueKind.Number,
                var other => throw new NotSupportedException($"type {other}"),
            };

    private static bool JsonEquals(JsonElement a, JsonElement b) => a.GetRawText() == b.GetRawText();
}
