using Zaqar.Data.Entities;

namespace Zaqar.Data.Stores;

/// <summary>How a subscription's notifications fared: the outbox's pending rows and the dispatchers' tallies.</summary>
public sealed record DeliveryStats(
    long Delivered, long Failed, long Pending, string? LastError, DateTime? LastErrorAt, DateTime? LastDeliveredAt);

/// <summary>A live subscription as storage returns it (options: a JSON object's text).</summary>
public sealed record StoredSubscription(
    Guid Id,
    string QueueName,
    string Subscriber,
    SubscriberType Type,
    int Ttl,
    string Options,
    bool Confirmed,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    DeliveryStats Delivery);

/// <summary>A subscription to create (validated: the subscriber is unique per source, the ttl at least the minimum).</summary>
public sealed record NewSubscription(Guid Id, string Subscriber, SubscriberType Type, int Ttl, string Options, bool Confirmed);

/// <summary>The result of a create: the subscription with that subscriber, and whether this call created it.</summary>
public sealed record SubscriptionCreateOutcome(StoredSubscription Subscription, bool Created);

/// <summary>The fields a PATCH changes (null: unchanged).</summary>
public sealed record SubscriptionChanges(string? Subscriber, SubscriberType? Type, int? Ttl, string? Options);

public enum SubscriptionUpdateOutcome
{
    Updated,
    NotFound,

    /// <summary>Another live subscription of the source has the new subscriber.</summary>
    Conflict,
}

/// <summary>
/// Decides, inside the transaction that changes a subscription, which confirmation request to put in its outbox:
/// gets the subscription before (null on create) and after the change, returns the document to send or null.
/// </summary>
public delegate string? ConfirmationDocument(StoredSubscription? before, StoredSubscription after);

/// <summary>An outbox row a dispatcher leased, with what it needs to deliver it.</summary>
public sealed record ClaimedNotification(
    long Id,
    NotificationKind Kind,
    int Attempts,
    Guid? MessageId,
    string Body,
    bool Encrypted,
    int Ttl,
    int Delay,
    Guid SubscriptionId,
    QueueRef Source,
    string Subscriber,
    SubscriberType Type,
    string Options,
    string? QueueRetryPolicy)
{
    /// <summary>The database whose outbox the row is in: it is settled there.</summary>
    public required Pools.PoolTarget Pool { get; init; }
}
