namespace Zaqar.Data.Entities;

/// <summary>A message of a queue. Primary key (queue_id, seq): seq is the FIFO position within the queue.</summary>
public sealed class MessageEntity
{
    public long QueueId { get; set; }

    /// <summary>Position within the queue, assigned in commit order (see <see cref="QueueEntity.LastSeq"/>).</summary>
    public long Seq { get; set; }

    /// <summary>The public id: <see cref="Seq"/> in the high 64 bits and random bits below (<see cref="MessageIds"/>).</summary>
    public Guid Id { get; set; }

    /// <summary>The body: any JSON value, stored as text (json) so that key order and number text survive.</summary>
    public required string Body { get; set; }

    public int Ttl { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>Delayed messages are invisible to claims (and default listings) until this time.</summary>
    public DateTime VisibleAt { get; set; }

    public Guid? ClaimId { get; set; }

    /// <summary>The claim holds the message while this lies in the future; a past value means "free again".</summary>
    public DateTime? ClaimExpiresAt { get; set; }

    public int ClaimCount { get; set; }

    /// <summary>
    /// The body is encrypted at rest (queue <c>_enable_encrypt_messages</c>): then <see cref="Body"/> is a JSON
    /// string holding the ciphertext, which only the service can turn back into the posted value.
    /// </summary>
    public bool Encrypted { get; set; }

    /// <summary>The poster's Client-ID, for <c>echo=false</c> listings.</summary>
    public string? ClientId { get; set; }

    public QueueEntity? Queue { get; set; }
}
