using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;

namespace Zaqar.Hub.Hubs;

/// <summary>The answer of a resuming Subscribe (issue 13).</summary>
/// <param name="MessagesExpired">
/// Messages right after <c>since</c> are no longer in the queue (their ttl passed, or they were deleted or popped: the
/// queue can't tell which), so what follows is not everything posted after <c>since</c>.
/// </param>
public sealed record SubscribedView([property: JsonPropertyName("messages_expired")] bool MessagesExpired);

/// <summary>Options of a Subscribe that resumes: <c>since</c> is the id of the last message the client saw.</summary>
public sealed record SubscribeArgs([property: JsonPropertyName("since")] string? Since = null);

public sealed partial class PushDispatcher
{
    /// <summary>Backlog messages read and sent at a time.</summary>
    private const int BacklogPageSize = 100;

    /// <summary>
    /// Subscribes the connection and first sends it every message after <paramref name="since"/> (issue 13): the
    /// subscription is made first with its pushes held back, the backlog is read from the database by position and sent
    /// in pages, then the held pushes follow, without those the backlog already had. So nothing is missed at the seam,
    /// nothing comes twice, and it works on any node because the backlog comes from the database. Without
    /// <paramref name="since"/>, a plain Subscribe.
    /// </summary>
    public async Task<SubscribedView> ResumeAsync(
        string connectionId, CallContext caller, string queue, QueueKind kind, string? since, MessageService history, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, caller.ProjectId, kind);
        var key = caller.Queue(queue, kind);
        if (since is null)
        {
            await HoldAsync(connectionId, key, ExplicitHolder, ct);
            return new SubscribedView(MessagesExpired: false);
        }
        var after = MessageService.ParseSince(since);
        var resume = new Resume(key, _ledger, this);
        var outbox = await HoldAsync(connectionId, key, ExplicitHolder, resume, ct);
        try
        {
            var expired = false;
            for (var first = true; ; first = false)
            {
                var page = await history.HistoryAsync(key, after, BacklogPageSize, first, ct);
                expired |= page.Gap;
                if (page.Views.Count > 0)
                {
                    // Written directly, not through the outbox: awaiting each page paces the reads by the client's speed, and
                    // nothing else of this queue reaches the connection meanwhile (its pushes are held by the resume).
                    await outbox.Connection.WriteAsync(Serialize(key, page.Views), ct);
                }
                resume.Sent(page);
                after = page.Covered;
                if (page.Complete)
                {
                    break;
                }
            }
            resume.GoLive(outbox);
            return new SubscribedView(expired);
        }
        catch
        {
            // Another holder (a hub-connection subscription of the queue) may keep the connection subscribed: what was held
            // back goes out and pushes flow again, as they did before this call.
            resume.GoLive(outbox);
            outbox.RemoveResume(key, only: resume);
            Release(connectionId, key, ExplicitHolder);
            throw;
        }
    }

    /// <summary>
    /// A subscription that resumed after a position: holds its pushes back while the backlog is sent, then lets through
    /// only what the backlog did not have. Guarded by locking the instance.
    /// </summary>
    private sealed class Resume(QueueRef queue, PushLedger ledger, PushDispatcher dispatcher)
    {
        private List<PushedMessageView>? _held = [];
        private int _heldCount;
        private long _heldBytes;

        /// <summary>Every position up to this one was read by the backlog (sent, gone, or in <see cref="_hidden"/>).</summary>
        private long _covered = -1;

        /// <summary>Positions the backlog found still delayed: not sent then, so let through when pushed.</summary>
        private readonly HashSet<long> _hidden = [];

        public void Offer(Outbox outbox, IReadOnlyList<PushedMessageView> messages, SerializedHubMessage push, long bytes)
        {
            lock (this)
            {
                if (_held is not null)
                {
                    // Counted against the connection's push buffer: a flood during a long backlog closes it as any backlog would.
                    if (outbox.Reserve(messages.Count, bytes))
                    {
                        _held.AddRange(messages);
                        _heldCount += messages.Count;
                        _heldBytes += bytes;
                    }
                    return;
                }
                var fresh = Fresh(messages);
                if (_covered >= 0 && ledger.Cursor(queue, long.MaxValue) is { } cursor && cursor.AfterSeq >= _covered &&
                    dispatcher.InFlight(queue) <= 1)
                {
                    // This node has now pushed or read every position the backlog covered, and no delivery but this one is
                    // under way (one admitted before the backlog read could still be on its way here), so no late copy can
                    // come: the filter ends (a queue deleted and made again restarts its positions, which must not be taken
                    // for old ones). This runs under the queue's push gate (PushLedger.PushGate), as every admission and
                    // relay does, so no read is ever admitted but not yet counted here.
                    _covered = -1;
                    _hidden.Clear();
                }
                if (fresh.Count == messages.Count)
                {
                    outbox.Enqueue(push, messages.Count, bytes);
                }
                else if (fresh.Count > 0)
                {
                    // A message the backlog had, relayed late from another node: the others still go.
                    outbox.Enqueue(Serialize(queue, fresh), fresh.Count, Bytes(fresh));
                }
            }
        }

        public void Sent(HistoryPage page)
        {
            lock (this)
            {
                _covered = page.Covered;
                _hidden.UnionWith(page.Hidden);
            }
        }

        /// <summary>Sends what was held back and not in the backlog, in position order; from now on pushes go through.</summary>
        public void GoLive(Outbox outbox)
        {
            lock (this)
            {
                var held = _held!;
                _held = null;
                outbox.Unreserve(_heldCount, _heldBytes);
                var fresh = Fresh(held.OrderBy(m => Seq(m)).ToList());
                if (fresh.Count > 0)
                {
                    outbox.Enqueue(Serialize(queue, fresh), fresh.Count, Bytes(fresh));
                }
            }
        }

        private List<PushedMessageView> Fresh(IReadOnlyList<PushedMessageView> messages)
        {
            var fresh = new List<PushedMessageView>(messages.Count);
            foreach (var m in messages)
            {
                var seq = Seq(m);
                if (seq > _covered || _hidden.Remove(seq))
                {
                    fresh.Add(m);
                }
            }
            return fresh;
        }

        private static long Seq(PushedMessageView m) => MessageIds.SeqOf(Guid.Parse(m.Id));
    }
}
