namespace Zaqar.Data.Entities;

/// <summary>How a subscription's notifications reach its subscriber.</summary>
public enum SubscriberType : short
{
    /// <summary>An http(s) URL: one POST per notification, through the outbox.</summary>
    Webhook = 0,

    /// <summary>A mailto: address: one email per notification, through the outbox.</summary>
    Mailto = 1,

    /// <summary>A hub connection: pushed to the connection by the node that holds it, never through the outbox.</summary>
    Hub = 2,
}

/// <summary>
/// A subscription of one queue (or topic) of one project. Like Zaqar's, it names its source by (project, kind,
/// name) rather than pointing at the queue row: deleting a queue leaves its subscriptions, purging removes them.
/// Subscribers are unique per source.
/// </summary>
public sealed class SubscriptionEntity
{
    /// <summary>A version-7 UUID (<see cref="SubscriptionIds"/>): ids sort in creation order, the listing order a marker follows.</summary>
    public Guid Id { get; set; }

    public required string Project { get; set; }

    public QueueKind Kind { get; set; }

    public required string QueueName { get; set; }

    public required string Subscriber { get; set; }

    public SubscriberType SubscriberType { get; set; }

    public int Ttl { get; set; }

    /// <summary>The subscription's options as a JSON object (jsonb).</summary>
    public required string Options { get; set; }

    public bool Confirmed { get; set; }

    /// <summary>When the subscription was created or its ttl last set: its age counts from here.</summary>
    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public long DeliveredCount { get; set; }

    /// <summary>Notifications given up on: retry policy exhausted, or refused by the subscriber (4xx).</summary>
    public long FailedCount { get; set; }

    public string? LastError { get; set; }

    public DateTime? LastErrorAt { get; set; }

    public DateTime? LastDeliveredAt { get; set; }
}
