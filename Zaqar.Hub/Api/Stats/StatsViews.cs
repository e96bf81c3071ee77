using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

/// <summary>
/// One sample of the live stats stream (issue 15 item 6): when it was taken (Unix milliseconds), the seconds it covers,
/// the node's message rates (null unless the caller is an admin: they are every tenant's), and the depth of each queue
/// asked for.
/// </summary>
public sealed record StatsSampleView(
    [property: JsonPropertyName("at")] long At,
    [property: JsonPropertyName("interval")] double Interval,
    [property: JsonPropertyName("rates")] MessageRatesView? Rates,
    [property: JsonPropertyName("queues")] IReadOnlyList<QueueDepthView> Queues);

/// <summary>Messages per second on this node over the sample's interval.</summary>
public sealed record MessageRatesView(
    [property: JsonPropertyName("posted")] double Posted,
    [property: JsonPropertyName("claimed")] double Claimed,
    [property: JsonPropertyName("deleted")] double Deleted,
    [property: JsonPropertyName("expired")] double Expired,
    [property: JsonPropertyName("dead_lettered")] double DeadLettered);

/// <summary>A queue's message counts at the sample's time.</summary>
public sealed record QueueDepthView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("free")] long Free,
    [property: JsonPropertyName("claimed")] long Claimed,
    [property: JsonPropertyName("total")] long Total);
