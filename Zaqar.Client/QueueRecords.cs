using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zaqar.Client;

/// <summary>A queue (or topic) in a listing; its metadata when listed with detailed.</summary>
public sealed record Queue(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("metadata")] JsonObject? Metadata = null);

/// <summary>A page of queues.</summary>
public sealed record QueuePage(
    [property: JsonPropertyName("queues")] IReadOnlyList<Queue> Queues,
    [property: JsonPropertyName("links")] IReadOnlyList<Link> Links,
    [property: JsonPropertyName("count")] long? Count = null)
{
    /// <summary>The marker of the next page, or null on the last.</summary>
    public string? NextMarker => Link.Marker(Links);
}

/// <summary>Options of a queue or topic listing.</summary>
public sealed record ListQueuesOptions(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("detailed")] bool? Detailed = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("with_count")] bool? WithCount = null);

/// <summary>A queue's statistics.</summary>
public sealed record QueueStats([property: JsonPropertyName("messages")] MessageCounts Messages);

/// <summary>Message counts, with the oldest and newest message when there are any.</summary>
public sealed record MessageCounts(
    [property: JsonPropertyName("claimed")] long Claimed,
    [property: JsonPropertyName("free")] long Free,
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("oldest")] MessageStat? Oldest = null,
    [property: JsonPropertyName("newest")] MessageStat? Newest = null);

/// <summary>The oldest or newest message in stats (a topic's have no claim fields).</summary>
public sealed record MessageStat(
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("created")] string Created,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("claim_id")] string? ClaimId = null,
    [property: JsonPropertyName("claim_count")] int ClaimCount = 0);

/// <summary>One change of queue metadata: op "add", "replace" or "remove" of a metadata key.</summary>
public sealed record MetadataChange(string Op, string Key, JsonNode? Value = null)
{
    internal JsonObject ToPatch() => Value is null && Op == "remove"
        ? new JsonObject { ["op"] = Op, ["path"] = "/metadata/" + Key }
        : new JsonObject { ["op"] = Op, ["path"] = "/metadata/" + Key, ["value"] = Value?.DeepClone() };
}

/// <summary>A topic's statistics: the total only, and the oldest and newest message.</summary>
public sealed record TopicStats([property: JsonPropertyName("messages")] TopicMessageCounts Messages);

/// <summary>A topic's message counts.</summary>
public sealed record TopicMessageCounts(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("oldest")] MessageStat? Oldest = null,
    [property: JsonPropertyName("newest")] MessageStat? Newest = null);

/// <summary>A page of topics.</summary>
public sealed record TopicPage(
    [property: JsonPropertyName("topics")] IReadOnlyList<Queue> Topics,
    [property: JsonPropertyName("links")] IReadOnlyList<Link> Links,
    [property: JsonPropertyName("count")] long? Count = null)
{
    /// <summary>The marker of the next page, or null on the last.</summary>
    public string? NextMarker => Link.Marker(Links);
}

/// <summary>The answer of CreateQueue and CreateTopic.</summary>
internal sealed record Created([property: JsonPropertyName("created")] bool Value);

/// <summary>The answer of GetMessages.</summary>
internal sealed record MessageList([property: JsonPropertyName("messages")] IReadOnlyList<Message> Messages);

/// <summary>The answer of PopMessages.</summary>
internal sealed record PoppedList([property: JsonPropertyName("messages")] IReadOnlyList<PoppedMessage> Messages);

/// <summary>Helpers for JSON documents the hub takes.</summary>
internal static class Documents
{
    public static JsonElement Of(JsonNode node) => JsonSerializer.SerializeToElement(node);
}
