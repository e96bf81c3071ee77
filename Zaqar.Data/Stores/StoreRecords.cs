namespace Zaqar.Data.Stores;

/// <summary>A queue as storage returns it: its name and its metadata (a JSON object's text).</summary>
public sealed record StoredQueue(string Name, string Metadata);

/// <summary>
/// A message as storage returns it. <see cref="ClaimId"/> is set only while the claim is live at the time the
/// store was asked about.
/// </summary>
public sealed record StoredMessage(
    Guid Id,
    string Body,
    int Ttl,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    Guid? ClaimId,
    int ClaimCount,
    bool Encrypted = false);

/// <summary>
/// A message to insert. Body is compact JSON text (or, when <see cref="Encrypted"/>, a JSON string holding the
/// ciphertext); ttl and delay are validated seconds.
/// </summary>
public readonly record struct NewMessage(string Body, int Ttl, int Delay, bool Encrypted = false);

/// <summary>
/// A message a post committed, as the store hands it back: its id and position (so nobody parses them back out of an
/// id's text, issue 12 item 6), and the stored body and timings a push of it needs. <see cref="Body"/> is the stored
/// text: when <see cref="Encrypted"/>, a JSON string holding the ciphertext.
/// </summary>
public readonly record struct PostedMessage(Guid Id, long Seq, string Body, int Ttl, int Delay, DateTime CreatedAt, bool Encrypted);

/// <summary>Filters of a message listing.</summary>
public readonly record struct MessageQuery(
    long AfterSeq,
    int Limit,
    bool Echo,
    string? ClientId,
    bool IncludeClaimed,
    bool IncludeDelayed);

/// <summary>Counts and ends of a queue, for stats.</summary>
public sealed record QueueCounts(long Claimed, long Delayed, long Total, StoredMessage? Oldest, StoredMessage? Newest);

/// <summary>A live claim and the messages it still holds.</summary>
public sealed record StoredClaim(Guid Id, int Ttl, int Grace, DateTime CreatedAt, DateTime ExpiresAt, IReadOnlyList<StoredMessage> Messages);

/// <summary>What a delete-one found. Decides between 204, 400 and 403 in the API layer.</summary>
public readonly record struct MessageDeleteOutcome(bool Found, bool Deleted, Guid? LiveClaimId, bool GivenClaimIsLive);
