using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Client;

/// <summary>Options of a claim: its ttl and grace in seconds, and how many messages it takes (the queue's defaults when null).</summary>
public sealed record ClaimOptions(
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("grace")] int? Grace = null,
    [property: JsonPropertyName("limit")] int? Limit = null);

/// <summary>A new claim: its id and the messages it holds (delete each with this claim id once processed).</summary>
public sealed record Claim(
    [property: JsonPropertyName("claim_id")] string ClaimId,
    [property: JsonPropertyName("messages")] IReadOnlyList<Message> Messages);

/// <summary>A claim as read back.</summary>
public sealed record ClaimInfo(
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("messages")] IReadOnlyList<Message> Messages,
    [property: JsonPropertyName("href")] string Href);

/// <summary>Options of a consume stream: each claim's ttl and grace, and how many messages a claim takes.</summary>
public sealed record ConsumeOptions(
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("grace")] int? Grace = null,
    [property: JsonPropertyName("batch")] int? Batch = null);

/// <summary>A message handed out by a consume stream with the claim that holds it.</summary>
public sealed record ConsumedMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("claim_id")] string ClaimId,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("href")] string Href)
{
    /// <summary>The body read as <typeparamref name="T"/>.</summary>
    public T? BodyAs<T>(JsonSerializerOptions? options = null) => ZaqarBodies.Read<T>(Body, options);
}
