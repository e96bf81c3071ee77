using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Data;
using Zaqar.Data.Presence;
using Zaqar.Hub.Api;
using Zaqar.Hub.Presence;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Hub connections watching who joins and leaves a queue or topic (issue 13, <c>SubscribePresence</c>): the presence
/// changes of every node reach them as <see cref="IQueuesClient.Presence"/> (or TopicPresence), in order with their
/// pushes and under the same push-buffer bounds, with client ids for watchers allowed to see them.
/// </summary>
/// <remarks>Watching ends with the connection. Singleton; thread-safe.</remarks>
public sealed class PresenceWatchers
{
    private readonly ConcurrentDictionary<QueueRef, ConcurrentDictionary<string, bool>> _watchers = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<QueueRef, byte>> _byConnection = new();
    private readonly PushDispatcher _push;
    private readonly TrackingHubLifetimeManager _connections;
    private readonly PresenceService _presence;

    public PresenceWatchers(PresenceTracker tracker, PushDispatcher push, TrackingHubLifetimeManager connections, PresenceService presence)
    {
        (_push, _connections, _presence) = (push, connections, presence);
        tracker.Changed += OnChanged;
        connections.Disconnected += OnDisconnected;
    }

    /// <summary>
    /// From now on the connection receives the joins and leaves of the caller's <paramref name="name"/>; answers the
    /// presence as it is now (it may already count a change whose event follows).
    /// </summary>
    public async Task<PresenceView> WatchAsync(string connectionId, CallContext caller, string name, QueueKind kind, CancellationToken ct)
    {
        var key = PresenceService.Watched(caller, name, kind);
        var seesClients = PresenceService.SeesClients(caller);
        while (true)
        {
            var watchers = _watchers.GetOrAdd(key, static _ => new());
            watchers[connectionId] = seesClients;
            // The last watcher of the queue may have removed this set just now: then add to the new one.
            if (_watchers.TryGetValue(key, out var current) && ReferenceEquals(current, watchers))
            {
                break;
            }
        }
        _byConnection.GetOrAdd(connectionId, static _ => new())[key] = 0;
        if (_connections.Find(connectionId) is null)
        {
            OnDisconnected(connectionId);
            throw new HubException("The connection is closing.");
        }
        return await _presence.GetAsync(caller, name, kind, ct);
    }

    public void Unwatch(string connectionId, CallContext caller, string name, QueueKind kind)
    {
        var key = caller.Queue(name, kind);
        if (_byConnection.TryGetValue(connectionId, out var keys))
        {
            keys.TryRemove(key, out _);
        }
        Remove(key, connectionId);
    }

    private void OnChanged(IReadOnlyList<PresenceChange> changes)
    {
        if (_watchers.IsEmpty)
        {
            return;
        }
        foreach (var group in changes.GroupBy(c => c.Member.Queue))
        {
            if (!_watchers.TryGetValue(group.Key, out var watchers) || watchers.IsEmpty)
            {
                continue;
            }
            var events = group.Select(c => new PresenceEventView(c.Joined ? PresenceEventView.Join : PresenceEventView.Leave)).ToList();
            // Serialized once per audience and shared by every watcher in it.
            SerializedHubMessage? anonymous = null;
            SerializedHubMessage? named = null;
            foreach (var (connectionId, seesClients) in watchers)
            {
                var message = seesClients
                    ? named ??= Serialize(group.Key, group.Select((c, i) => events[i] with { ClientId = c.Member.ClientId }).ToList())
                    : anonymous ??= Serialize(group.Key, events);
                _push.Signal(connectionId, message, events.Count);
            }
        }
    }

    private static SerializedHubMessage Serialize(QueueRef queue, IReadOnlyList<PresenceEventView> events) =>
        new(new InvocationMessage(
            queue.Kind == QueueKind.Topic ? nameof(IQueuesClient.TopicPresence) : nameof(IQueuesClient.Presence), [queue.Name, events]));

    private void OnDisconnected(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var keys))
        {
            foreach (var key in keys.Keys)
            {
                Remove(key, connectionId);
            }
        }
    }

    private void Remove(QueueRef key, string connectionId)
    {
        if (_watchers.TryGetValue(key, out var watchers))
        {
            watchers.TryRemove(connectionId, out _);
            if (watchers.IsEmpty)
            {
                _watchers.TryRemove(KeyValuePair.Create(key, watchers));
            }
        }
    }
}
