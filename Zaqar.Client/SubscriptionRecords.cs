using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zaqar.Client;

/// <summary>
/// A subscription to create or the changes to make: a webhook (http/https) or mailto subscriber, its ttl in seconds, and
/// options. Creating without a subscriber subscribes this connection (its messages arrive as pushes until it ends).
/// </summary>
public sealed record SubscriptionRequest(
    [property: JsonPropertyName("subscriber")] string? Subscriber = null,
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("options")] JsonObject? Options = null);

/// <summary>A subscription as listed or fetched, with how its notifications fared.</summary>
public sealed record Subscription(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("subscriber")] string Subscriber,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("options")] JsonObject Options,
    [property: JsonPropertyName("confirmed")] bool Confirmed,
    [property: JsonPropertyName("delivery")] SubscriptionDelivery Delivery);

/// <summary>Delivery tallies of a subscription and its last failure (UTC, <c>YYYY-MM-DDTHH:MM:SSZ</c>).</summary>
public sealed record SubscriptionDelivery(
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("failed")] long Failed,
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("last_error")] string? LastError = null,
    [property: JsonPropertyName("last_error_at")] string? LastErrorAt = null,
    [property: JsonPropertyName("last_delivered_at")] string? LastDeliveredAt = null);

/// <summary>A page of subscriptions.</summary>
public sealed record SubscriptionPage(
    [property: JsonPropertyName("subscriptions")] IReadOnlyList<Subscription> Subscriptions,
    [property: JsonPropertyName("links")] IReadOnlyList<Link> Links)
{
    /// <summary>The marker of the next page, or null on the last.</summary>
    public string? NextMarker => Link.Marker(Links);
}

/// <summary>Options of a subscription listing.</summary>
internal sealed record ListSubscriptionsOptions(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null);

/// <summary>The answer of CreateSubscription.</summary>
internal sealed record SubscriptionCreated([property: JsonPropertyName("subscription_id")] string SubscriptionId);

/// <summary>The document of ConfirmSubscription.</summary>
internal sealed record Confirmation([property: JsonPropertyName("confirmed")] bool Confirmed);

/// <summary>Options of SubscribeSince (issue 13): the id of the last message seen.</summary>
internal sealed record SubscribeOptions([property: JsonPropertyName("since")] string Since);

/// <summary>The answer of SubscribeSince: true when messages right after <c>since</c> were no longer in the queue.</summary>
public sealed record SubscribeResult([property: JsonPropertyName("messages_expired")] bool MessagesExpired);

