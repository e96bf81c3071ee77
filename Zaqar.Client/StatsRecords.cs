using System.Text.Json.Serialization;

namespace Zaqar.Client;

/// <summary>
/// Options of <see cref="ZaqarHubClient.StreamStatsAsync"/>: the queues whose depth to follow (at most 20) and the
/// seconds between samples (1 to 60; the service's default when null).
/// </summary>
public sealed record StatsStreamOptions(
    [property: JsonPropertyName("queues")] IReadOnlyList<string>? Queues = null,
    [property: JsonPropertyName("interval")] int? Interval = null);

/// <summary>
/// One sample of the live stats stream: when it was taken (milliseconds since the Unix epoch), the seconds it covers, the
/// node's message rates (for an admin only: they count every project) and the depth of each queue asked for.
/// </summary>
public sealed record StatsSample(
    [property: JsonPropertyName("at")] long At,
    [property: JsonPropertyName("interval")] double Interval,
    [property: JsonPropertyName("rates")] MessageRates? Rates,
    [property: JsonPropertyName("queues")] IReadOnlyList<QueueDepth> Queues);

/// <summary>Messages per second on the node over a sample's interval.</summary>
public sealed record MessageRates(
    [property: JsonPropertyName("posted")] double Posted,
    [property: JsonPropertyName("claimed")] double Claimed,
    [property: JsonPropertyName("deleted")] double Deleted,
    [property: JsonPropertyName("expired")] double Expired,
    [property: JsonPropertyName("dead_lettered")] double DeadLettered);

/// <summary>A queue's depth in a sample: free, claimed and all messages (a queue that does not exist counts as empty).</summary>
public sealed record QueueDepth(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("free")] long Free,
    [property: JsonPropertyName("claimed")] long Claimed,
    [property: JsonPropertyName("total")] long Total);
