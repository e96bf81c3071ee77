using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Zaqar.Hub.Tests.OpenApi;

/// <summary>
/// Builds a request value from an OpenAPI schema alone, as a client generator or a person reading the reference would:
/// the schema's example or first enum value when it has one; else its required properties and its bounded numbers (at
/// their minimum), a one-item array, a UUID for a uuid, <c>true</c> for a boolean, any JSON object where any value goes.
/// </summary>
internal static class SchemaExamples
{
    public static JsonNode? Build(IOpenApiSchema schema, int depth = 0)
    {
        Assert.True(depth < 10, "the example recursed too deep: a schema refers to itself");
        if (schema.Examples is { Count: > 0 } examples)
        {
            return examples[0]?.DeepClone();
        }
        if (schema.Enum is { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }
        if (schema.OneOf is { Count: > 0 } choices)
        {
            return Build(choices.First(c => c.Type != JsonSchemaType.Null), depth + 1);
        }
        var type = (schema.Type ?? 0) & ~JsonSchemaType.Null;
        return type switch
        {
            JsonSchemaType.Object => Object(schema, depth),
            JsonSchemaType.Array => new JsonArray(Build(schema.Items!, depth + 1)),
            JsonSchemaType.Integer or JsonSchemaType.Number =>
                JsonValue.Create(schema.Minimum is { } min ? long.Parse(min, CultureInfo.InvariantCulture) : 1L),
            JsonSchemaType.Boolean => JsonValue.Create(true),
            JsonSchemaType.String => JsonValue.Create(schema.Format == "uuid" ? Guid.NewGuid().ToString() : "example"),
            // No type: any JSON value.
            _ => new JsonObject { ["any"] = "json" },
        };
    }

    private static JsonObject Object(IOpenApiSchema schema, int depth)
    {
        var result = new JsonObject();
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            var bounded = property.Minimum is not null || property.OneOf?.Any(c => c.Minimum is not null) == true;
            if (schema.Required?.Contains(name) == true || bounded)
            {
                result[name] = Build(property, depth + 1);
            }
        }
        return result;
    }
}
