using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest.OpenApi;

/// <summary>
/// The numeric ranges of request fields as schema constraints (issue 15): the fixed minimums of <see cref="MessageRules"/>
/// and the maximums of the running service's <see cref="ZaqarOptions"/>, so a deployment's document shows its own limits.
/// Also marks a message's <c>body</c> required (the API layer's <see cref="MessageDraft"/> has no attribute to say so).
/// </summary>
internal sealed class OpenApiSchemaRules : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<(Type, string), Func<ZaqarOptions, (int Min, int Max)>> Ranges = new()
    {
        [(typeof(MessageDraft), "ttl")] = o => (MessageRules.MinTtl, o.MaxMessageTtl),
        [(typeof(MessageDraft), "delay")] = o => (0, o.MaxMessageDelay),
        [(typeof(ClaimDocument), "ttl")] = o => (MessageRules.MinClaimTtl, o.MaxClaimTtl),
        [(typeof(ClaimDocument), "grace")] = o => (MessageRules.MinClaimGrace, o.MaxClaimGrace),
        [(typeof(SubscriptionDocument), "ttl")] = _ => (MessageRules.MinSubscriptionTtl, int.MaxValue),
        [(typeof(SubscriptionPatchDocument), "ttl")] = _ => (MessageRules.MinSubscriptionTtl, int.MaxValue),
        [(typeof(QueueMetadataDocument), QueueMetadata.DefaultMessageTtl)] = o => (MessageRules.MinTtl, o.MaxMessageTtl),
        [(typeof(QueueMetadataDocument), QueueMetadata.MaxMessagesPostSize)] = o => (1, o.MaxMessagesPostSize),
        [(typeof(QueueMetadataDocument), QueueMetadata.DefaultMessageDelay)] = o => (0, o.MaxMessageDelay),
        [(typeof(QueueMetadataDocument), QueueMetadata.DeadLetterQueueMessagesTtl)] = o => (MessageRules.MinTtl, o.MaxMessageTtl),
    };

    /// <summary>Examples of values no type can show (a message body is any JSON; a subscriber is a URI of an accepted scheme).</summary>
    private static readonly Dictionary<(Type, string), Func<JsonNode>> Examples = new()
    {
        [(typeof(MessageDraft), "body")] = () => new JsonObject { ["event"] = "order-created", ["order"] = 42 },
        [(typeof(SubscriptionDocument), "subscriber")] = () => JsonValue.Create("https://hooks.example.com/zaqar"),
        [(typeof(SubscriptionPatchDocument), "subscriber")] = () => JsonValue.Create("mailto:ops@example.com"),
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        // The web defaults read numbers from strings; Zaqar's readers never do ("must be a int"): a number is a number.
        if (schema.Type is { } kinds && (kinds & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (kinds & JsonSchemaType.String) != 0)
        {
            schema.Type = kinds & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        // String enums (purge types, shared paths, patch ops) say they are strings.
        if (schema.Enum is { Count: > 0 } && schema.Type is null)
        {
            schema.Type = JsonSchemaType.String;
        }
        // A key left out when null or default (checksum, count, claim fields of a topic pop) is not always there.
        if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
        {
            foreach (var optional in context.JsonTypeInfo.Properties.Where(OmittedWhenEmpty))
            {
                required.Remove(optional.Name);
            }
        }
        if (type == typeof(MessageDraft))
        {
            schema.Required = new HashSet<string>(["body"]);
            schema.Description = "One message: any JSON body, its TTL and (on a delayed queue) its delay in seconds.";
        }
        if (context.JsonPropertyInfo is { } property && property.DeclaringType is { } owner &&
            Ranges.TryGetValue((owner, property.Name), out var range))
        {
            var (min, max) = range(context.ApplicationServices.GetRequiredService<IOptions<ZaqarOptions>>().Value);
            schema.Minimum = min.ToString(CultureInfo.InvariantCulture);
            schema.Maximum = max.ToString(CultureInfo.InvariantCulture);
        }
        if (context.JsonPropertyInfo is { DeclaringType: { } declaring } described && Examples.TryGetValue((declaring, described.Name), out var example))
        {
            schema.Examples = [example()];
        }
        return Task.CompletedTask;
    }

    private static bool OmittedWhenEmpty(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true).OfType<JsonIgnoreAttribute>()
            .Any(a => a.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault) == true;
}
