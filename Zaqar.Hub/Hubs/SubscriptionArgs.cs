using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Hubs;

// Argument objects of the subscription hub methods (issue #4), REST's member names, bound liberally like HubArgs.

/// <summary>
/// A subscription to create or the changes to make: REST's document. Creating without <c>subscriber</c> makes the
/// calling connection the subscriber.
/// </summary>
public sealed record SubscriptionArgs(
    [property: JsonPropertyName("subscriber")] string? Subscriber = null,
    [property: JsonPropertyName("ttl")] int? Ttl = null,
    [property: JsonPropertyName("options")] JsonElement? Options = null);

/// <summary>Options of ListSubscriptions.</summary>
public sealed record ListSubscriptionsArgs(
    [property: JsonPropertyName("marker")] string? Marker = null,
    [property: JsonPropertyName("limit")] int? Limit = null);

/// <summary>The document of ConfirmSubscription: <c>{"confirmed": true|false}</c>.</summary>
public sealed record ConfirmSubscriptionArgs([property: JsonPropertyName("confirmed")] bool? Confirmed = null);
