namespace Zaqar.Data.Entities;

/// <summary>A claim on messages of one queue. The messages carry the claim id and expiry themselves.</summary>
public sealed class ClaimEntity
{
    public Guid Id { get; set; }

    public long QueueId { get; set; }

    public int Ttl { get; set; }

    public int Grace { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>
    /// The positions of the messages the claim took. Claim reads and renewals find its messages by primary key
    /// through these, so messages need no index on claim_id, and claiming a message stays a HOT update.
    /// </summary>
    public long[] MessageSeqs { get; set; } = [];

    public QueueEntity? Queue { get; set; }
}
