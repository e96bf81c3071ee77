using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

// Inputs and shapes of the subscriptions API (zaqar-v2-api.md section 5.1); keys are REST's, for both transports.

public sealed record ListSubscriptionsRequest(string? Marker = null, int? Limit = null);

/// <summary>The answer of a create: the new subscription's id (or the existing unconfirmed one's).</summary>
public sealed record SubscriptionCreatedView([property: JsonPropertyName("subscription_id")] string SubscriptionId);

/// <summary>
/// A subscription as listed or fetched: Zaqar's keys, plus <c>delivery</c> (ours): how its notifications fared.
/// </summary>
public sealed record SubscriptionView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("subscriber")] string Subscriber,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("options")] JsonObject Options,
    [property: JsonPropertyName("confirmed")] bool Confirmed,
    [property: JsonPropertyName("delivery")] DeliveryView Delivery)
{
    /// <summary>The view of a stored subscription of <paramref name="source"/> at <paramref name="now"/>.</summary>
    internal static SubscriptionView From(string source, StoredSubscription s, DateTime now)
    {
        static string? Time(DateTime? at) => at?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var d = s.Delivery;
        return new SubscriptionView(
            s.Id.ToString("D"), source, s.Subscriber, s.Ttl, MessageService.Age(s.CreatedAt, now), QueueMetadata.Parse(s.Options), s.Confirmed,
            new DeliveryView(d.Delivered, d.Failed, d.Pending, d.LastError, Time(d.LastErrorAt), Time(d.LastDeliveredAt)));
    }
}

/// <summary>
/// Delivery tallies of a subscription: notifications delivered, given up on (retry policy exhausted or refused with
/// a 4xx), and waiting in the outbox; the last failure's reason and time (UTC, <c>YYYY-MM-DDTHH:MM:SSZ</c>).
/// </summary>
public sealed record DeliveryView(
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("failed")] long Failed,
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("last_error_at")] string? LastErrorAt,
    [property: JsonPropertyName("last_delivered_at")] string? LastDeliveredAt);

public sealed record SubscriptionPageView(
    [property: JsonPropertyName("subscriptions")] IReadOnlyList<SubscriptionView> Subscriptions,
    [property: JsonPropertyName("links")] IReadOnlyList<LinkView> Links);
