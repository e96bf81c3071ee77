using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

// The shapes the common API layer returns. Keys are REST's (snake_case); both transports serialize these, so
// a hub caller sees what a REST caller sees.

/// <summary>A message as listed or fetched by id.</summary>
public sealed record MessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("body")] JsonElement Body)
{
    [JsonPropertyName("checksum")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Checksum { get; init; }
}

/// <summary>
/// A message removed by pop (Zaqar returns the storage form: no href, with its claim fields on a queue; a topic's
/// messages are never claimed, so a topic pop has no claim fields).
/// </summary>
public sealed record PoppedMessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("claim_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClaimId,
    [property: JsonPropertyName("claim_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ClaimCount);

/// <summary>A pagination link: <c>rel</c> is always "next".</summary>
public sealed record LinkView(
    [property: JsonPropertyName("rel")] string Rel,
    [property: JsonPropertyName("href")] string Href);

public sealed record MessagePageView(
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links);

public sealed record MessagesView([property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages);

public sealed record PoppedView([property: JsonPropertyName("messages")] IReadOnlyList<PoppedMessageView> Messages);

/// <summary>The result of a post: the new ids in posting order and their paths.</summary>
public sealed record PostedView(
    [property: JsonPropertyName("message_ids")] IReadOnlyList<string> MessageIds,
    [property: JsonPropertyName("resources")] IReadOnlyList<string> Resources);

public sealed record QueueView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("href")] string Href)
{
    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public System.Text.Json.Nodes.JsonObject? Metadata { get; init; }
}

public sealed record QueuePageView(
    [property: JsonPropertyName("queues")] IReadOnlyList<QueueView> Queues,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links)
{
    [JsonPropertyName("count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Count { get; init; }
}

/// <summary>The oldest or newest message in queue stats. No <c>id</c>: Zaqar gives it only inside <c>href</c>.</summary>
public sealed record MessageStatView(
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("claim_id")] string? ClaimId,
    [property: JsonPropertyName("claim_count")] int ClaimCount,
    [property: JsonPropertyName("created")] string Created,
    [property: JsonPropertyName("href")] string Href);

public sealed record MessageCountsView(
    [property: JsonPropertyName("claimed")] long Claimed,
    [property: JsonPropertyName("free")] long Free,
    [property: JsonPropertyName("total")] long Total)
{
    [JsonPropertyName("oldest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageStatView? Oldest { get; init; }

    [JsonPropertyName("newest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageStatView? Newest { get; init; }
}

public sealed record QueueStatsView([property: JsonPropertyName("messages")] MessageCountsView Messages);

/// <summary>A new claim: its id (REST puts it in Location) and the messages it holds.</summary>
public sealed record ClaimCreatedView(
    [property: JsonPropertyName("claim_id")] string ClaimId,
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages);

public sealed record ClaimView(
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages,
    [property: JsonPropertyName("href")] string Href);
