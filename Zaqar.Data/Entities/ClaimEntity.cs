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

    public QueueEntity? Queue { get; set; }
}
