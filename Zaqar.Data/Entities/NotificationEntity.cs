namespace Zaqar.Data.Entities;

/// <summary>What an outbox row carries.</summary>
public enum NotificationKind : short
{
    /// <summary>A posted message (the body is the message body as stored, maybe encrypted).</summary>
    Message = 0,

    /// <summary>A subscription or unsubscribe confirmation request (the body is the whole document to send).</summary>
    Confirmation = 1,
}

/// <summary>
/// The notification outbox: one row per (subscription, posted message) or confirmation, written in the same
/// transaction as what caused it, deleted once delivered or given up on. Dispatchers lease rows by moving
/// <see cref="DueAt"/> ahead (a lease that lapses makes the row due again: at-least-once delivery).
/// </summary>
public sealed class NotificationEntity
{
    public long Id { get; set; }

    public Guid SubscriptionId { get; set; }

    public NotificationKind Kind { get; set; }

    /// <summary>The posted message's id (message notifications only).</summary>
    public Guid? MessageId { get; set; }

    /// <summary>JSON text: the message body as stored (see <see cref="Encrypted"/>), or a confirmation document.</summary>
    public required string Body { get; set; }

    /// <summary>The body is ciphertext of an <c>_enable_encrypt_messages</c> queue, as in the messages table.</summary>
    public bool Encrypted { get; set; }

    public int Ttl { get; set; }

    public int Delay { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the row may next be tried: after a message's delay, a retry's backoff, or a lapsed lease.</summary>
    public DateTime DueAt { get; set; }

    /// <summary>Failed attempts so far; the retry policy's position.</summary>
    public int Attempts { get; set; }

    /// <summary>The lease of the dispatcher trying it now; settling needs it, so a lapsed lease can't settle twice.</summary>
    public Guid? Lease { get; set; }

    public string? LastError { get; set; }

    public SubscriptionEntity? Subscription { get; set; }
}
