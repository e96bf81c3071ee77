using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Client;

// Messages as the hub sends and takes them: REST's keys, bodies as any JSON value (JsonElement). BodyAs<T> reads a body
// into a .NET type with the client's body serializer options.

/// <summary>A message to post: any JSON body, a ttl and a delay in seconds (the queue's defaults when null).</summary>
public sealed record NewMessage(
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("delay")] int? Delay = null)
{
    /// <summary>A message whose body is <paramref name="body"/> serialized to JSON with <paramref name="options"/>.</summary>
    public static NewMessage From<T>(T body, int? ttl = null, int? delay = null, JsonSerializerOptions? options = null) =>
        new(JsonSerializer.SerializeToElement(body, options ?? ZaqarBodies.DefaultOptions), ttl, delay);
}

/// <summary>What a post returns: the new ids in posting order, and their paths.</summary>
public sealed record PostResult(
    [property: JsonPropertyName("message_ids")] IReadOnlyList<string> MessageIds,
    [property: JsonPropertyName("resources")] IReadOnlyList<string> Resources);

/// <summary>A message as listed or fetched by id.</summary>
public sealed record Message(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("checksum")] string? Checksum = null)
{
    /// <summary>The body read as <typeparamref name="T"/>.</summary>
    public T? BodyAs<T>(JsonSerializerOptions? options = null) => ZaqarBodies.Read<T>(Body, options);
}

/// <summary>A page of messages and the link to the next one.</summary>
public sealed record MessagePage(
    [property: JsonPropertyName("messages")] IReadOnlyList<Message> Messages,
    [property: JsonPropertyName("links")] IReadOnlyList<Link> Links)
{
    /// <summary>The marker of the next page, or null on the last.</summary>
    public string? NextMarker => Link.Marker(Links);
}

/// <summary>A pagination link (<c>rel</c> is "next").</summary>
public sealed record Link([property: JsonPropertyName("rel")] string Rel, [property: JsonPropertyName("href")] string Href)
{
    internal static string? Marker(IReadOnlyList<Link> links) =>
        links.FirstOrDefault(l => l.Rel == "next")?.Href is { } href && href.IndexOf("marker=", StringComparison.Ordinal) is var at and >= 0
            ? Uri.UnescapeDataString(href[(at + 7)..].Split('&')[0])
            : null;
}

/// <summary>A message removed by pop: no href; its claim fields on a queue.</summary>
public sealed record PoppedMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("claim_id")] string? ClaimId = null,
    [property: JsonPropertyName("claim_count")] int? ClaimCount = null)
{
    /// <summary>The body read as <typeparamref name="T"/>.</summary>
    public T? BodyAs<T>(JsonSerializerOptions? options = null) => ZaqarBodies.Read<T>(Body, options);
}

/// <summary>A message pushed to a subscribed connection right after its post committed.</summary>
public sealed record PushedMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("delay")] int Delay = 0)
{
    /// <summary>The body read as <typeparamref name="T"/>.</summary>
    public T? BodyAs<T>(JsonSerializerOptions? options = null) => ZaqarBodies.Read<T>(Body, options);
}

/// <summary>Options of a message listing.</summary>
public sealed record ListMessagesOptions(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null,
    [property: JsonPropertyName("echo")] bool? Echo = null,
    [property: JsonPropertyName("include_claimed")] bool? IncludeClaimed = null,
    [property: JsonPropertyName("include_delayed")] bool? IncludeDelayed = null);

/// <summary>How bodies become .NET values and back when the caller gives no serializer options.</summary>
internal static class ZaqarBodies
{
    public static readonly JsonSerializerOptions DefaultOptions = new(JsonSerializerDefaults.Web);

    public static T? Read<T>(JsonElement body, JsonSerializerOptions? options) => body.Deserialize<T>(options ?? DefaultOptions);
}
