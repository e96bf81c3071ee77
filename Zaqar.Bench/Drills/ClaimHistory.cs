using System.Collections.Concurrent;

namespace Zaqar.Bench.Drills;

/// <summary>
/// The claim history checker (issue 16 item 3): every claim and delete the claimers made, with the claim id and the drill
/// times the request was sent and answered, and afterwards a check that no message was ever under two live claims.
/// </summary>
/// <remarks>
/// Times are the client's, so each event is known only to lie between send and answer. A violation is reported only when
/// it is certain whatever the server's exact times were: a second claim answered before the first could have expired
/// (first sent + ttl), or a message claimed again after a delete of it had been answered. Nothing is released (claimers
/// delete), so a claim stays live until its ttl or its message's delete. Thread-safe.
/// </remarks>
internal sealed class ClaimHistory
{
    private readonly ConcurrentQueue<ClaimEvent> _claims = new();
    private readonly ConcurrentQueue<DeleteEvent> _deletes = new();

    public int Claims => _claims.Count;

    public void Claimed(string messageId, string claimId, long sent, long answered, int ttlSeconds) =>
        _claims.Enqueue(new ClaimEvent(messageId, claimId, sent, answered, ttlSeconds * 1000L));

    public void Deleted(string messageId, string claimId, long sent, long answered) =>
        _deletes.Enqueue(new DeleteEvent(messageId, claimId, sent, answered));

    /// <summary>The violations found: each names the message and both claims.</summary>
    public List<string> Check()
    {
        var violations = new List<string>();
        var deletes = _deletes.GroupBy(d => d.MessageId).ToDictionary(g => g.Key, g => g.Min(d => d.Answered), StringComparer.Ordinal);
        foreach (var claims in _claims.GroupBy(c => c.MessageId))
        {
            var ordered = claims.OrderBy(c => c.Sent).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                foreach (var later in ordered.Skip(i + 1).Where(l => l.Answered < ordered[i].Sent + ordered[i].TtlMilliseconds))
                {
                    var earlier = ordered[i];
                    violations.Add($"{claims.Key}: claim {later.ClaimId} answered at {later.Answered} ms while claim {earlier.ClaimId} " +
                        $"(sent at {earlier.Sent} ms, ttl {earlier.TtlMilliseconds} ms) was still live");
                }
            }
            if (deletes.TryGetValue(claims.Key, out var deletedAt) && ordered.FirstOrDefault(c => c.Sent > deletedAt) is { } after)
            {
                violations.Add($"{claims.Key}: claimed again by {after.ClaimId} at {after.Sent} ms after its delete was answered at {deletedAt} ms");
            }
        }
        return violations;
    }

    /// <summary>How many messages were claimed more than once (after a claim expired: allowed, at least once).</summary>
    public int Reclaimed => _claims.GroupBy(c => c.MessageId).Count(g => g.Count() > 1);

    private sealed record ClaimEvent(string MessageId, string ClaimId, long Sent, long Answered, long TtlMilliseconds);

    private sealed record DeleteEvent(string MessageId, string ClaimId, long Sent, long Answered);
}
