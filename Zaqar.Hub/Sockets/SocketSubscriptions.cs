using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Presence;

namespace Zaqar.Hub.Sockets;

/// <summary>
/// This node's websocket subscribers (zaqar-v2-api.md 10.4, issue 13): subscriptions whose subscriber is a connection of
/// Zaqar's websocket transport, stored like any subscription (listed, fetched and deleted through every transport) and
/// fed the queue's new messages by the same paths as the hub's subscribers: local posts of any transport through
/// <see cref="IMessageObserver"/>, other nodes' posts through the cluster feed (<see cref="IRelayTarget"/>), with the
/// <see cref="PushLedger"/> keeping either way from pushing a message twice. Not Zaqar's design of an HTTP listener per
/// websocket process that every poster POSTs to.
/// </summary>
/// <remarks>
/// A push is one frame per message, in the webhook format of section 5.2 (plus the message id, which Zaqar leaves out),
/// without envelope; delayed messages are pushed when their delay has passed, as the hub pushes them. A subscription ends
/// with its connection (deleted from storage), when deleted or purged on this node (at once), and when it expires or is
/// deleted through another node (within <see cref="NotificationOptions.HubSubscriptionCheckSeconds"/>). Posters only
/// enqueue. Singleton; thread-safe.
/// </remarks>
public sealed partial class SocketSubscriptions : BackgroundService, IMessageObserver, IRelayTarget
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (SocketConnection Connection, QueueRef Queue)> _live = [];
    private readonly Dictionary<(SocketConnection, QueueRef), int> _holds = [];
    private readonly Dictionary<SocketConnection, HashSet<Guid>> _byConnection = [];
    private readonly ConcurrentDictionary<QueueRef, ConcurrentDictionary<SocketConnection, byte>> _byQueue = new();
    private readonly SubscriptionService _subscriptions;
    private readonly PushLedger _ledger;
    private readonly PresenceTracker _presence;
    private readonly IOptions<NotificationOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SocketSubscriptions> _logger;

    public SocketSubscriptions(
        SubscriptionService subscriptions, PushLedger ledger, PresenceTracker presence, SubscriptionEvents events,
        IOptions<NotificationOptions> options, TimeProvider time, ILogger<SocketSubscriptions> logger)
    {
        (_subscriptions, _ledger, _presence, _options, _time, _logger) = (subscriptions, ledger, presence, options, time, logger);
        events.Ended += Release;
    }

    /// <summary>
    /// Makes the connection the subscriber of a new subscription of the caller's <paramref name="queue"/>; its pushes
    /// go out in the frame type of this request (<paramref name="binary"/>), as Zaqar sends them.
    /// </summary>
    public async Task<SubscriptionCreatedView> CreateAsync(
        SocketConnection connection, CallContext caller, string queue, int? ttl, JsonElement? subscriptionOptions, bool binary, CancellationToken ct)
    {
        var draft = SubscriptionRules.FromParts(null, ttl, subscriptionOptions);
        var (view, id) = await _subscriptions.CreateForConnectionAsync(caller, QueueKind.Queue, queue, connection.Id, draft.Ttl, draft.Options, ct);
        var key = caller.Queue(queue);
        // Watched before it is held, so a release racing this create can never unwatch another subscriber's queue.
        await _ledger.WatchAsync(key, ct);
        bool held;
        var joined = Task.CompletedTask;
        lock (_gate)
        {
            held = !connection.Closed;
            if (held)
            {
                _live[id] = (connection, key);
                (_byConnection.TryGetValue(connection, out var ids) ? ids : _byConnection[connection] = []).Add(id);
                var holds = _holds[(connection, key)] = _holds.GetValueOrDefault((connection, key)) + 1;
                if (holds == 1)
                {
                    _byQueue.GetOrAdd(key, static _ => new())[connection] = 0;
                    // Under the lock, so a close racing this create leaves after this joins (issue 13).
                    joined = _presence.JoinAsync(key, connection.Id, caller.ClientId);
                }
                connection.PushBinary = binary;
            }
        }
        if (!held)
        {
            // The connection ended while the subscription was being made: it must not outlive it.
            _ledger.Unwatch(key);
            await _subscriptions.DeleteConnectionSubscriptionsAsync([(id, key)], CancellationToken.None);
            throw new OperationCanceledException("The connection closed.");
        }
        await joined;
        return view;
    }

    public void Posted(PostedMessages posted)
    {
        if (_byQueue.ContainsKey(posted.Queue))
        {
            // As the hub's pushes: admitted and handed out in one step under the queue's push gate (PushLedger.PushGate).
            lock (_ledger.PushGate(posted.Queue) ?? posted)
            {
                Dispatch(posted.Queue, _ledger.AdmitLocal(posted));
            }
        }
    }

    public void Relay(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        if (_byQueue.ContainsKey(queue))
        {
            Dispatch(queue, messages);
        }
    }

    /// <summary>The connection is gone: its subscriptions end, here and in storage.</summary>
    public void Closed(SocketConnection connection)
    {
        List<(Guid, QueueRef)> ended;
        lock (_gate)
        {
            ended = _byConnection.TryGetValue(connection, out var ids) ? ids.Select(id => (id, _live[id].Queue)).ToList() : [];
        }
        if (ended.Count == 0)
        {
            return;
        }
        Release(ended.ConvertAll(e => e.Item1));
        _ = DeleteAsync(ended);
    }

    /// <summary>Checks now and then that the subscriptions still exist and have not expired.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _subscriptions.CheckConnectionSubscriptionsAsync(
            TimeSpan.FromSeconds(_options.Value.HubSubscriptionCheckSeconds), Held, Release,
            failure => SocketLog.SubscriptionCheckFailed(_logger, failure), stoppingToken);

    private List<(Guid, QueueRef)> Held()
    {
        lock (_gate)
        {
            return _live.Select(l => (l.Key, l.Value.Queue)).ToList();
        }
    }

    private void Release(IReadOnlyList<Guid> ids)
    {
        var unwatch = new List<QueueRef>();
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (!_live.Remove(id, out var held))
                {
                    continue;
                }
                unwatch.Add(held.Queue);
                if (_byConnection.TryGetValue(held.Connection, out var owned) && owned.Remove(id) && owned.Count == 0)
                {
                    _byConnection.Remove(held.Connection);
                }
                var holds = _holds[(held.Connection, held.Queue)] - 1;
                if (holds > 0)
                {
                    _holds[(held.Connection, held.Queue)] = holds;
                    continue;
                }
                _holds.Remove((held.Connection, held.Queue));
                _presence.Leave(held.Queue, held.Connection.Id);
                if (_byQueue.TryGetValue(held.Queue, out var connections))
                {
                    connections.TryRemove(held.Connection, out _);
                    if (connections.IsEmpty)
                    {
                        _byQueue.TryRemove(KeyValuePair.Create(held.Queue, connections));
                    }
                }
            }
        }
        unwatch.ForEach(_ledger.Unwatch);
    }

    private async Task DeleteAsync(IReadOnlyList<(Guid Id, QueueRef Queue)> ids)
    {
        try
        {
            await _subscriptions.DeleteConnectionSubscriptionsAsync(ids, CancellationToken.None);
        }
        catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
        {
            // They expire by their ttl.
            SocketLog.SubscriptionDeleteFailed(_logger, ids.Count, ex);
        }
    }

    private void Dispatch(QueueRef queue, IReadOnlyList<PushedMessageView> messages)
    {
        foreach (var message in messages)
        {
            if (message.Delay == 0)
            {
                Deliver(queue, message);
            }
            else
            {
                _ = DeliverLaterAsync(queue, message);
            }
        }
    }

    private async Task DeliverLaterAsync(QueueRef queue, PushedMessageView message)
    {
        await Task.Delay(TimeSpan.FromSeconds(message.Delay), _time);
        Deliver(queue, message);
    }

    private void Deliver(QueueRef queue, PushedMessageView message)
    {
        if (!_byQueue.TryGetValue(queue, out var connections))
        {
            return;
        }
        // Encoded once (JSON now, MessagePack on first use) and shared by every subscriber of the queue.
        var push = new SocketPush(queue.Name, message);
        foreach (var connection in connections.Keys)
        {
            connection.Push(push);
        }
    }
}
