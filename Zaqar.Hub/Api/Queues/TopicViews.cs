using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

// The shapes that differ for topics (Zaqar v2.1, zaqar-v2-api.md section 8). Everything else a topic answers with
// (metadata, messages, posts) has the queue's shape, with /v2/topics hrefs.

/// <summary>A page of topics: the queue listing's items and links, under the key "topics".</summary>
public sealed record TopicPageView(
    [property: JsonPropertyName("topics")] IReadOnlyList<QueueView> Topics,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links)
{
    [JsonPropertyName("count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Count { get; init; }
}

/// <summary>The oldest or newest message in topic stats: no claim fields, since topic messages are never claimed.</summary>
public sealed record TopicMessageStatView(
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("created")] string Created,
    [property: JsonPropertyName("href")] string Href);

/// <summary>A topic's message counts: the total only (no claimed or free), and the oldest and newest when there are any.</summary>
public sealed record TopicMessageCountsView([property: JsonPropertyName("total")] long Total)
{
    [JsonPropertyName("oldest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TopicMessageStatView? Oldest { get; init; }

    [JsonPropertyName("newest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TopicMessageStatView? Newest { get; init; }
}

public sealed record TopicStatsView([property: JsonPropertyName("messages")] TopicMessageCountsView Messages);
