using System.Collections.Concurrent;
using System.Text;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Issue 16 item 3: a record of every acknowledged post, claim, delete and release a workload made (from any number of
/// clients and nodes), and the check of the claim guarantee over it: no message was ever under two live claims, no
/// deleted message was handed out again, and every acknowledged message was deleted or is still in its queue.
/// </summary>
/// <remarks>
/// Clients see only when a request started and when its answer came, so the check is conservative: a claim is taken
/// as surely live from its answer until the earliest of its release's start, its message's delete's start and the
/// moment the clock reached its request's start plus its ttl (the service's expiry is later than that). Only overlaps
/// of such sure intervals are violations; an outcome a client never learnt (a request cut by a node's death) only ever
/// shortens them. Moments are ordered by a counter taken as each moment is recorded, so a clock that stands still (a
/// test's manual clock) still orders them; the clock bounds expiry only. Thread-safe.
/// </remarks>
public sealed class ClaimHistory(Func<DateTimeOffset> clock)
{
    private readonly ConcurrentDictionary<string, byte> _posted = new();
    private readonly ConcurrentQueue<ClaimRecord> _claims = new();
    private readonly ConcurrentQueue<DeleteRecord> _deletes = new();
    private readonly ConcurrentQueue<ReleaseRecord> _releases = new();
    private long _order;
    private long _deleted;

    /// <summary>The moment now: taken just before a request is sent and just after its answer came.</summary>
    public Moment Now()
    {
        // The time is read after the order is taken: a later moment never reads an earlier time (the clock is monotone).
        var order = Interlocked.Increment(ref _order);
        return new Moment(order, clock());
    }

    public long ClaimCount => _claims.Count;

    public long PostedCount => _posted.Count;

    /// <summary>Deletes the service said were done.</summary>
    public long DeletedCount => Interlocked.Read(ref _deleted);

    /// <summary>These messages' post was acknowledged (committed).</summary>
    public void Posted(IEnumerable<string> messageIds)
    {
        foreach (var id in messageIds)
        {
            _posted.TryAdd(id, 0);
        }
    }

    /// <summary>A claim was made: asked at <paramref name="start"/>, answered at <paramref name="end"/> with these messages.</summary>
    public void Claimed(string claimId, int ttlSeconds, Moment start, Moment end, IReadOnlyList<string> messageIds) =>
        _claims.Enqueue(new ClaimRecord(claimId, ttlSeconds, start, end, messageIds));

    /// <summary>A message was deleted with a claim's id (or the delete was refused, or its outcome is not known).</summary>
    public void Deleted(string messageId, string claimId, Moment start, Moment end, Outcome outcome)
    {
        _deletes.Enqueue(new DeleteRecord(messageId, claimId, start, end, outcome));
        if (outcome == Outcome.Done)
        {
            Interlocked.Increment(ref _deleted);
        }
    }

    /// <summary>A claim was released (or the release's outcome is not known).</summary>
    public void Released(string claimId, Moment start, Moment end, Outcome outcome) =>
        _releases.Enqueue(new ReleaseRecord(claimId, start, end, outcome));

    /// <summary>Checks the history, given the ids of the messages still in the queue at the end (claimed or not).</summary>
    public ClaimHistoryVerdict Verify(IReadOnlySet<string> remaining)
    {
        var verdict = new ClaimHistoryVerdict { Posted = _posted.Count, Claims = _claims.Count };
        var releaseStart = new Dictionary<string, Moment>();
        foreach (var r in _releases)
        {
            verdict.Releases++;
            // Whatever its outcome, a claim may have ended as its release was asked for: only the start counts.
            if (!releaseStart.TryGetValue(r.ClaimId, out var seen) || r.Start.Order < seen.Order)
            {
                releaseStart[r.ClaimId] = r.Start;
            }
        }
        // Per message: the deletes with their claim, and the first delete known to have succeeded.
        var deletes = _deletes.GroupBy(d => d.MessageId).ToDictionary(g => g.Key, g => g.ToList());
        var deletedOrMaybe = new HashSet<string>();
        foreach (var d in _deletes)
        {
            verdict.DeletesDone += d.Outcome == Outcome.Done ? 1 : 0;
            verdict.DeletesRefused += d.Outcome == Outcome.Refused ? 1 : 0;
            if (d.Outcome != Outcome.Refused)
            {
                deletedOrMaybe.Add(d.MessageId);
            }
        }
        var claimsOf = new Dictionary<string, List<Holding>>();
        foreach (var c in _claims)
        {
            verdict.MessagesClaimed += c.MessageIds.Count;
            foreach (var id in c.MessageIds)
            {
                (claimsOf.TryGetValue(id, out var list) ? list : claimsOf[id] = []).Add(SureHolding(c, id, releaseStart, deletes));
            }
        }
        foreach (var (id, holdings) in claimsOf)
        {
            verdict.Redeliveries += holdings.Count - 1;
            CheckExclusive(id, holdings, verdict);
            if (deletes.TryGetValue(id, out var ofMessage))
            {
                CheckDeletes(id, holdings, ofMessage, verdict);
            }
        }
        foreach (var id in _posted.Keys)
        {
            if (!deletedOrMaybe.Contains(id) && !remaining.Contains(id))
            {
                verdict.Lost++;
                verdict.Note($"message {id}: its post was acknowledged, but it was never deleted and is not in the queue");
            }
        }
        return verdict;
    }

    /// <summary>When <paramref name="claim"/> surely held <paramref name="messageId"/>: from its answer to the earliest end it may have had.</summary>
    private static Holding SureHolding(ClaimRecord claim, string messageId, Dictionary<string, Moment> releaseStart, Dictionary<string, List<DeleteRecord>> deletes)
    {
        var endOrder = long.MaxValue;
        if (releaseStart.TryGetValue(claim.ClaimId, out var released))
        {
            endOrder = released.Order;
        }
        if (deletes.TryGetValue(messageId, out var ofMessage))
        {
            // The holder's own delete ends its holding as it starts, whatever came of it. Another claim's delete does not:
            // one that succeeded while this claim held the message is a violation of its own (CheckDeletes).
            foreach (var d in ofMessage.Where(d => d.ClaimId == claim.ClaimId))
            {
                endOrder = Math.Min(endOrder, d.Start.Order);
            }
        }
        return new Holding(claim, claim.End.Order, endOrder, claim.Start.Time + TimeSpan.FromSeconds(claim.TtlSeconds));
    }

    private static bool SurelyHeldAt(Holding h, Moment at) => h.From < at.Order && at.Order < h.Until && at.Time < h.ExpiresNotBefore;

    /// <summary>Two holdings overlap when one's first sure moment lies in the other's sure interval.</summary>
    private static void CheckExclusive(string messageId, List<Holding> holdings, ClaimHistoryVerdict verdict)
    {
        for (var i = 0; i < holdings.Count; i++)
        {
            for (var j = 0; j < holdings.Count; j++)
            {
                var (a, b) = (holdings[i], holdings[j]);
                if (i != j && b.Claim.End.Time < b.ExpiresNotBefore && b.Claim.End.Order < b.Until && SurelyHeldAt(a, b.Claim.End))
                {
                    verdict.DoubleClaims++;
                    verdict.Note($"message {messageId}: claim {b.Claim.ClaimId} was given it while claim {a.Claim.ClaimId} surely held it");
                }
            }
        }
    }

    private static void CheckDeletes(string messageId, List<Holding> holdings, List<DeleteRecord> deletes, ClaimHistoryVerdict verdict)
    {
        foreach (var d in deletes.Where(d => d.Outcome == Outcome.Done))
        {
            foreach (var h in holdings)
            {
                if (h.Claim.Start.Order > d.End.Order)
                {
                    verdict.ClaimedAfterDelete++;
                    verdict.Note($"message {messageId}: claim {h.Claim.ClaimId} was given it after its delete (with claim {d.ClaimId}) succeeded");
                }
                else if (h.Claim.ClaimId != d.ClaimId && h.From < d.Start.Order && d.End.Order < h.Until && d.End.Time < h.ExpiresNotBefore)
                {
                    verdict.DeletedByNonHolder++;
                    verdict.Note($"message {messageId}: deleted with claim {d.ClaimId} while claim {h.Claim.ClaimId} surely held it");
                }
            }
        }
    }

    public enum Outcome
    {
        /// <summary>The service said it was done.</summary>
        Done,

        /// <summary>The service refused it (for a delete: the claim no longer held the message).</summary>
        Refused,

        /// <summary>No answer came (the connection or the node died): it may or may not have happened.</summary>
        Unknown,
    }

    /// <summary>A point of the history: its place in the order of all recorded moments, and the clock's time then.</summary>
    public readonly record struct Moment(long Order, DateTimeOffset Time);

    private sealed record ClaimRecord(string ClaimId, int TtlSeconds, Moment Start, Moment End, IReadOnlyList<string> MessageIds);

    private sealed record DeleteRecord(string MessageId, string ClaimId, Moment Start, Moment End, Outcome Outcome);

    private sealed record ReleaseRecord(string ClaimId, Moment Start, Moment End, Outcome Outcome);

    /// <summary>A claim surely held a message between the orders <see cref="From"/> and <see cref="Until"/>, and before the clock read <see cref="ExpiresNotBefore"/>.</summary>
    private sealed record Holding(ClaimRecord Claim, long From, long Until, DateTimeOffset ExpiresNotBefore);
}

/// <summary>What <see cref="ClaimHistory.Verify"/> found: counts, and the first violations described.</summary>
public sealed class ClaimHistoryVerdict
{
    private const int MaxNotes = 10;
    private readonly List<string> _notes = [];

    public long Posted { get; init; }
    public long Claims { get; init; }
    public long MessagesClaimed { get; set; }

    /// <summary>Claims of a message beyond its first (after a release or an expiry: allowed, at least once delivery).</summary>
    public long Redeliveries { get; set; }
    public long DeletesDone { get; set; }
    public long DeletesRefused { get; set; }
    public long Releases { get; set; }

    /// <summary>A message handed to a claim while another surely held it.</summary>
    public long DoubleClaims { get; set; }

    /// <summary>A message handed out again after a delete of it succeeded.</summary>
    public long ClaimedAfterDelete { get; set; }

    /// <summary>A delete that succeeded with a claim while another claim surely held the message.</summary>
    public long DeletedByNonHolder { get; set; }

    /// <summary>Acknowledged messages neither deleted nor left in the queue.</summary>
    public long Lost { get; set; }

    public bool Passed => DoubleClaims == 0 && ClaimedAfterDelete == 0 && DeletedByNonHolder == 0 && Lost == 0;

    public IReadOnlyList<string> Notes => _notes;

    internal void Note(string violation)
    {
        if (_notes.Count < MaxNotes)
        {
            _notes.Add(violation);
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append($"claim history: {Posted:N0} posted, {Claims:N0} claims of {MessagesClaimed:N0} messages ({Redeliveries:N0} redelivered after a release or expiry), ")
            .Append($"{DeletesDone:N0} deleted, {DeletesRefused:N0} deletes refused, {Releases:N0} releases; ")
            .Append($"double claims {DoubleClaims}, claimed after delete {ClaimedAfterDelete}, deleted by a non-holder {DeletedByNonHolder}, lost {Lost}: ")
            .Append(Passed ? "PASSED" : "FAILED");
        foreach (var note in _notes)
        {
            text.Append("\n    ").Append(note);
        }
        return text.ToString();
    }
}
