using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest.OpenApi;

// The request documents of the REST routes, for the OpenAPI document only (issue 15). The handlers read bodies by
// hand (JsonInput, RequestBodies and the services' own readers keep Zaqar's error texts), so these records are never
// deserialized: they name the keys the readers look for. Where the API layer has a type of its own (a message is a
// MessageDraft) it is used as is; the numeric limits come from ZaqarOptions through OpenApiSchemaRules.

/// <summary><c>POST .../messages</c>: at least one message.</summary>
internal sealed record PostMessagesDocument([property: JsonPropertyName("messages"), Required, MinLength(1)] IReadOnlyList<MessageDraft> Messages);

/// <summary><c>POST .../claims</c> (both optional: the defaults apply) and <c>PATCH .../claims/{id}</c>.</summary>
internal sealed record ClaimDocument(
    [property: JsonPropertyName("ttl"), Description("Seconds the claim lasts.")] int? Ttl = null,
    [property: JsonPropertyName("grace"), Description("Seconds added to the claimed messages' lifetime.")] int? Grace = null);

/// <summary>
/// Queue (or topic) metadata, as <c>PUT</c> stores it and <c>GET</c> returns it: any keys; the reserved ones (a leading
/// underscore) are checked and give the queue its settings (zaqar-v2-api.md 2.1).
/// </summary>
internal sealed record QueueMetadataDocument
{
    [JsonPropertyName(QueueMetadata.DefaultMessageTtl), Description("TTL of messages posted without one.")]
    public int? DefaultMessageTtl { get; init; }

    [JsonPropertyName(QueueMetadata.MaxMessagesPostSize), Description("Largest post in bytes (the service's own limit still applies).")]
    public int? MaxMessagesPostSize { get; init; }

    [JsonPropertyName(QueueMetadata.DefaultMessageDelay), Description("Non-zero: a delayed queue, and the default delay of its posts.")]
    public int? DefaultMessageDelay { get; init; }

    [JsonPropertyName(QueueMetadata.MaxClaimCount), Description("With a dead-letter queue: claims after which a message moves there.")]
    public int? MaxClaimCount { get; init; }

    [JsonPropertyName(QueueMetadata.DeadLetterQueue), Description("The queue (same project) dead-lettered messages move to.")]
    public string? DeadLetterQueue { get; init; }

    [JsonPropertyName(QueueMetadata.DeadLetterQueueMessagesTtl), Description("TTL given to messages moved to the dead-letter queue.")]
    public int? DeadLetterQueueMessagesTtl { get; init; }

    [JsonPropertyName(QueueMetadata.EnableEncryptMessages), Description("Encrypt message bodies at rest (AES-256).")]
    public bool? EnableEncryptMessages { get; init; }

    [JsonPropertyName(QueueMetadata.RetryPolicy), Description("Default webhook retry policy of the queue's subscriptions.")]
    public JsonObject? RetryPolicy { get; init; }

    [JsonPropertyName(QueueMetadata.FlavorKey), Description("Pooling: the flavor whose pools hold the queue.")]
    public string? Flavor { get; init; }

    /// <summary>Any other key the caller stores.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>One operation of a metadata <c>PATCH</c> (JSON patch on <c>/metadata/&lt;key&gt;</c>).</summary>
internal sealed record MetadataPatchOperation(
    [property: JsonPropertyName("op"), Required] PatchOp Op,
    [property: JsonPropertyName("path"), Required, RegularExpression("^/metadata/[^/]+$")] string Path,
    [property: JsonPropertyName("value"), Description("Required for add and replace.")] JsonElement? Value = null);

[JsonConverter(typeof(JsonStringEnumConverter<PatchOp>))]
internal enum PatchOp
{
    [JsonStringEnumMemberName("add")] Add,
    [JsonStringEnumMemberName("remove")] Remove,
    [JsonStringEnumMemberName("replace")] Replace,
}

/// <summary><c>POST .../purge</c>: what to purge (no body: both).</summary>
internal sealed record PurgeDocument(
    [property: JsonPropertyName("resource_types"), Required] IReadOnlyList<PurgeResource> ResourceTypes);

[JsonConverter(typeof(JsonStringEnumConverter<PurgeResource>))]
internal enum PurgeResource
{
    [JsonStringEnumMemberName("messages")] Messages,
    [JsonStringEnumMemberName("subscriptions")] Subscriptions,
}

/// <summary><c>POST /v2/queues/{queue}/share</c>: what a pre-signed URL allows (every key optional).</summary>
internal sealed record ShareDocument(
    [property: JsonPropertyName("paths"), Description("Default [\"messages\"].")] IReadOnlyList<SharedPath>? Paths = null,
    [property: JsonPropertyName("methods"), Description("HTTP methods allowed; default [\"GET\"].")] IReadOnlyList<string>? Methods = null,
    [property: JsonPropertyName("expires"), Description("ISO 8601 time in the future; default one day from now.")] string? Expires = null);

[JsonConverter(typeof(JsonStringEnumConverter<SharedPath>))]
internal enum SharedPath
{
    [JsonStringEnumMemberName("messages")] Messages,
    [JsonStringEnumMemberName("subscriptions")] Subscriptions,
    [JsonStringEnumMemberName("claims")] Claims,
}

/// <summary><c>POST .../subscriptions</c>.</summary>
internal sealed record SubscriptionDocument(
    [property: JsonPropertyName("subscriber"), Required, Description("http(s)://, mailto: or trust+http(s):// URI (the schemes the service accepts).")] string Subscriber,
    [property: JsonPropertyName("ttl"), Description("Seconds the subscription lives (default from the service's settings).")] int? Ttl = null,
    [property: JsonPropertyName("options"), Description("Delivery options: post_headers, post_data, _retry_policy, ...")] JsonObject? Options = null);

/// <summary><c>PATCH .../subscriptions/{id}</c>: any of a subscription's keys.</summary>
internal sealed record SubscriptionPatchDocument(
    [property: JsonPropertyName("subscriber"), Description("http(s)://, mailto: or trust+http(s):// URI (the schemes the service accepts).")] string? Subscriber = null,
    [property: JsonPropertyName("ttl"), Description("Seconds the subscription lives (default from the service's settings).")] int? Ttl = null,
    [property: JsonPropertyName("options"), Description("Delivery options: post_headers, post_data, _retry_policy, ...")] JsonObject? Options = null);

/// <summary><c>PUT .../subscriptions/{id}/confirm</c>.</summary>
internal sealed record ConfirmDocument([property: JsonPropertyName("confirmed"), Required] bool Confirmed);

/// <summary><c>PUT /v2/pools/{pool}</c>; a <c>PATCH</c> sends any of the same keys.</summary>
internal sealed record PoolDocument(
    [property: JsonPropertyName("uri"), Required, MaxLength(255), Description("The pool database's connection string.")] string Uri,
    [property: JsonPropertyName("weight"), Required, Range(0, uint.MaxValue)] long Weight,
    [property: JsonPropertyName("flavor")] string? Flavor = null,
    [property: JsonPropertyName("options")] JsonObject? Options = null);

/// <summary><c>PUT /v2/flavors/{flavor}</c>; a <c>PATCH</c> sends any of the same keys.</summary>
internal sealed record FlavorDocument(
    [property: JsonPropertyName("pool_list"), Required, MinLength(1)] IReadOnlyList<string> PoolList,
    [property: JsonPropertyName("capabilities")] JsonObject? Capabilities = null);

/// <summary><c>POST .../messages</c> answers the new messages' paths, in posting order.</summary>
internal sealed record PostedMessagesDocument([property: JsonPropertyName("resources")] IReadOnlyList<string> Resources);

/// <summary><c>POST .../claims</c> answers the claimed messages (the claim's path is in Location).</summary>
internal sealed record ClaimedMessagesDocument([property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages);
