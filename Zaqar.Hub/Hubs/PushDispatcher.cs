using Zaqar.Data;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Presence;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Pushes committed posts to the connections subscribed to their queue (issue #3) or topic (issue #4).
/// </summary>
/// <remarks>
/// Posters only enqueue: each connection has its own outbox and pump, so a slow or dead subscriber never blocks
/// a poster or another subscriber. An outbox is bounded (messages and bytes, <see cref="PushOptions"/>); a
/// connection that falls that far behind is closed with a reason instead of growing server memory. Delayed
/// messages are pushed when their delay has passed. Subscriptions end with the connection. Posts made on other nodes
/// arrive through <see cref="Relay"/> (this is an <see cref="IRelayTarget"/> of the cluster feed, which does not know
/// the hub: issue 12 item 7); the <see cref="PushLedger"/> keeps either way from pushing a message twice (issue #4).
/// Singleton; thread-safe.
/// </remarks>
public sealed partial class PushDispatcher : IMessageObserver, IRelayTarget
{
    /// <summary>The holder of Subscribe/Unsubscribe.</summary>
    private const string ExplicitHolder = "";

    private readonly ConcurrentDictionary<QueueRef, ConcurrentDictionary<string, Outbox>> _subscribers = new();
    private readonly ConcurrentDictionary<string, Outbox> _outboxes = new();

    /// <summary>Posts and deliveries under way per queue (see <see cref="InFlight"/>); a queue's entry goes at zero.</summary>
    private readonly ConcurrentDictionary<QueueRef, int> _inFlight = new();
    private readonly TrackingHubLifetimeManager _connections;
    private readonly PushLedger _ledger;
    private readonly PresenceTracker _presence;
    private readonly IOptions<PushOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PushDispatcher> _logger;

    public PushDispatcher(
        TrackingHubLifetimeManager connections, PushLedger ledger, PresenceTracker presence, IOptions<PushOptions> options, TimeProvider time,
        ILogger<PushDispatcher> logger)
    {
        _connections = connections;
        _ledger = ledger;
        _presence = presence;
        _options = options;
        _time = time;
        _logger = logger;
        connections.Disconnected += OnDisconnected;
    }

    /// <summary>Completes once posts committed from now on, on any node, will be pushed to the connection.</summary>
    public Task SubscribeAsync(string connectionId, CallContext caller, string queue, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, caller.ProjectId, kind);
        return HoldAsync(connectionId, caller.Queue(queue, kind), ExplicitHolder, ct);
    }

    public void Unsubscribe(string connectionId, CallContext caller, string queue, QueueKind kind = QueueKind.Queue) =>
        Release(connectionId, caller.Queue(queue, kind), ExplicitHolder);

    /// <summary>
    /// Subscribes the connection to <paramref name="key"/> on behalf of <paramref name="holder"/> (Subscribe itself,
    /// or a hub-connection subscription of issue #4): it stays subscribed while any holder holds it. Completes once
    /// posts committed from now on, on any node, will be pushed to it.
    /// </summary>
    public Task HoldAsync(string connectionId, QueueRef key, string holder, CancellationToken ct) =>
        HoldAsync(connectionId, key, holder, resume: null, ct);

    /// <param name="resume">Issue 13: pushes for <paramref name="key"/> go through it (it buffers them while the backlog is sent).</param>
    private async Task<Outbox> HoldAsync(string connectionId, QueueRef key, string holder, Resume? resume, CancellationToken ct)
    {
        var connection = _connections.Find(connectionId) ?? throw Closing();
        var outbox = _outboxes.GetOrAdd(connectionId, _ => new Outbox(connection, this));
        bool first;
        var joined = Task.CompletedTask;
        lock (outbox)
        {
            if (!outbox.Open)
            {
                // The connection ended after the lookup above: what is held now would outlive it.
                throw Closing();
            }
            if (resume is not null)
            {
                outbox.SetResume(key, resume);
            }
            if (!outbox.Keys.TryGetValue(key, out var holders))
            {
                outbox.Keys[key] = holders = [];
            }
            first = holders.Count == 0;
            holders.Add(holder);
            _subscribers.GetOrAdd(key, static _ => new ConcurrentDictionary<string, Outbox>())[connectionId] = outbox;
            if (first)
            {
                // Presence (issue 13) counts the connection once per queue, however many holders subscribe it; under the
                // lock, so a release or disconnect racing this hold leaves after this joins.
                joined = _presence.JoinAsync(key, connectionId, connection.Caller()?.ClientId ?? string.Empty);
            }
        }
        if (first)
        {
            await Task.WhenAll(_ledger.WatchAsync(key, ct), joined);
        }
        return outbox;
    }

    /// <summary>
    /// Sends <paramref name="message"/> (carrying <paramref name="count"/> items) to the connection in order with its
    /// pushes and under the same push-buffer bounds: presence events (issue 13). Nothing when the connection is gone.
    /// </summary>
    public void Signal(string connectionId, SerializedHubMessage message, int count)
    {
        if (_connections.Find(connectionId) is not { } connection)
        {
            return;
        }
        var outbox = _outboxes.GetOrAdd(connectionId, _ => new Outbox(connection, this));
        if (_connections.Find(connectionId) is null)
        {
            // The connection ended meanwhile, maybe after its disconnect cleaned up: an outbox made now must not stay.
            OnDisconnected(connectionId);
            return;
        }
        outbox.Enqueue(message, count, count * 64L);
    }

    /// <summary>Drops <paramref name="holder"/>'s hold; the last one to go unsubscribes the connection.</summary>
    public void Release(string connectionId, QueueRef key, string holder)
    {
        if (!_outboxes.TryGetValue(connectionId, out var outbox))
        {
            return;
        }
        lock (outbox)
        {
            if (!outbox.Keys.TryGetValue(key, out var holders) || !holders.Remove(holder) || holders.Count > 0)
            {
                return;
            }
            outbox.Keys.Remove(key);
            outbox.RemoveResume(key);
            if (_subscribers.TryGetValue(key, out var subscribers))
            {
                subscribers.TryRemove(connectionId, out _);
            }
            _presence.Leave(key, connectionId);
        }
        _ledger.Unwatch(key);
    }

    /// <summary>
    /// A local post is counted from before it is sent to the store to after its delivery (see <see cref="InFlight"/>),
    /// whether or not the queue has subscribers here yet: one may subscribe, resuming, while the post is committing.
    /// </summary>
    public void PostStarting(QueueRef queue) => Enter(queue);

    public void PostEnded(QueueRef queue) => Leave(queue);

    public void Posted(PostedMessages posted)
    {
        // Checked before anything is built: a post nobody here subscribed to costs no pushed view (issue 12 item 6).
        if (!_subscribers.ContainsKey(posted.Queue))
        {
            return;
        }
        // Counted already (PostStarting), from before its commit to the end of its delivery.
        lock (_ledger.PushGate(posted.Queue) ?? posted)
        {
            Dispatch(posted.Queue, _ledger.AdmitLocal(posted));
        }
    }

    /// <summary>Pushes messages that posts on other nodes committed, read back by the cluster feed (not yet pushed here).</summary>
    public void Relay(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        Enter(queue);
        try
        {
            Dispatch(queue, messages);
        }
        finally
        {
            Leave(queue);
        }
    }

    /// <summary>
    /// How many deliveries of <paramref name="queue"/> are under way (admitted by the ledger, not yet handed to every
    /// subscriber), delayed ones included until they are handed out, and local posts from before they are sent to the
    /// store. A resuming subscription ends its seam filter only when no other is (issue 13): one committed or admitted
    /// before the backlog was read but delivered after it would otherwise pass the filter as new and arrive twice.
    /// </summary>
    private int InFlight(QueueRef queue) => _inFlight.TryGetValue(queue, out var count) ? count : 0;

    private void Enter(QueueRef queue) => _inFlight.AddOrUpdate(queue, 1, static (_, count) => count + 1);

    private void Leave(QueueRef queue)
    {
        // Lock-free, and the entry goes with the last one out: every queue ever posted to must not keep one.
        while (_inFlight.TryGetValue(queue, out var count))
        {
            if (count == 1 ? _inFlight.TryRemove(KeyValuePair.Create(queue, 1)) : _inFlight.TryUpdate(queue, count - 1, count))
            {
                return;
            }
        }
    }

    private void Dispatch(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        var now = messages.Where(m => m.Delay == 0).ToList();
        if (now.Count > 0)
        {
            Deliver(queue, now);
        }
        foreach (var group in messages.Where(m => m.Delay > 0).GroupBy(m => m.Delay))
        {
            var later = group.ToList();
            Enter(queue);
            _ = DeliverLaterAsync(queue, later, TimeSpan.FromSeconds(group.Key));
        }
    }

    private async Task DeliverLaterAsync(QueueRef queue, List<PushedMessageView> messages, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time);
            // The age a subscriber sees is the message's age when it becomes visible. Under the queue's push gate, as every
            // delivery: a resuming subscription's filter reads the ledger under its own lock, which must come after the gate.
            lock (_ledger.PushGate(queue) ?? messages)
            {
                Deliver(queue, messages.ConvertAll(m => m with { Age = m.Age + (long)delay.TotalSeconds }));
            }
        }
        finally
        {
            Leave(queue);
        }
    }

    private void Deliver(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        if (!_subscribers.TryGetValue(queue, out var subscribers))
        {
            return;
        }
        var bytes = Bytes(messages);
        // Serialized once per protocol and shared by every subscriber (a fan-out to a thousand connections must not
        // encode the same messages a thousand times).
        var push = Serialize(queue, messages);
        foreach (var outbox in subscribers.Values)
        {
            if (outbox.TryGetResume(queue, out var resume))
            {
                resume.Offer(outbox, messages, push, bytes);
            }
            else
            {
                outbox.Enqueue(push, messages.Count, bytes);
            }
        }
    }

    /// <summary>Bodies plus a fixed allowance for each message's id, ttl and framing.</summary>
    private static long Bytes(IReadOnlyList<PushedMessageView> messages) => messages.Sum(m => (long)m.Size + 64);

    /// <summary>The push of <paramref name="messages"/>; a queue and a topic may share a name: the method tells them apart.</summary>
    private static SerializedHubMessage Serialize(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        var method = queue.Kind == QueueKind.Topic ? nameof(IQueuesClient.TopicMessages) : nameof(IQueuesClient.Messages);
        return new SerializedHubMessage(new InvocationMessage(method, [queue.Name, messages]));
    }

    private void OnDisconnected(string connectionId)
    {
        if (!_outboxes.TryRemove(connectionId, out var outbox))
        {
            return;
        }
        List<QueueRef> keys;
        lock (outbox)
        {
            outbox.Close();
            keys = [.. outbox.Keys.Keys];
            outbox.Keys.Clear();
            foreach (var key in keys)
            {
                _presence.Leave(key, connectionId);
            }
        }
        foreach (var key in keys)
        {
            _ledger.Unwatch(key);
            if (_subscribers.TryGetValue(key, out var subscribers))
            {
                subscribers.TryRemove(connectionId, out _);
                if (subscribers.IsEmpty)
                {
                    _subscribers.TryRemove(KeyValuePair.Create(key, subscribers));
                }
            }
        }
    }

    private static HubException Closing() => new("The connection is closing.");

    [LoggerMessage(1, LogLevel.Warning, "Closing connection {ConnectionId}: its push buffer overflowed", EventName = "PushOverflow")]
    private static partial void PushOverflow(ILogger logger, string connectionId);
}
