using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Subscriptions whose subscriber is a hub connection (issue #4, zaqar-v2-api.md 10.4): stored like any
/// subscription (listed, fetched, deleted through either transport), delivered through <see cref="PushDispatcher"/>
/// to the connection as <c>Messages(queue, messages)</c>, and deleted when the connection ends.
/// </summary>
/// <remarks>
/// A subscription's end is noticed at once when it is deleted or purged on this node, and within
/// <see cref="NotificationOptions.HubSubscriptionCheckSeconds"/> when it expires or is deleted through another node.
/// A node that dies leaves its connections' subscriptions to expire by their ttl. Singleton; thread-safe.
/// </remarks>
public sealed partial class HubSubscriptions : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, (string ConnectionId, QueueRef Queue)> _live = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _byConnection = new();
    private readonly SubscriptionService _subscriptions;
    private readonly PushDispatcher _push;
    private readonly IOptions<NotificationOptions> _options;
    private readonly ILogger<HubSubscriptions> _logger;

    public HubSubscriptions(
        SubscriptionService subscriptions, PushDispatcher push, TrackingHubLifetimeManager connections, SubscriptionEvents events,
        IOptions<NotificationOptions> options, ILogger<HubSubscriptions> logger)
    {
        (_subscriptions, _push, _options, _logger) = (subscriptions, push, options, logger);
        connections.Disconnected += OnDisconnected;
        events.Ended += ids => Release(ids);
    }

    /// <summary>Makes the connection the subscriber of a new subscription of <paramref name="queue"/>.</summary>
    public async Task<SubscriptionCreatedView> CreateAsync(
        string connectionId, CallContext caller, QueueKind kind, string queue, int? ttl, JsonElement? subscriptionOptions, CancellationToken ct)
    {
        var draft = SubscriptionRules.FromParts(null, ttl, subscriptionOptions);
        var (view, id) = await _subscriptions.CreateForConnectionAsync(caller, kind, queue, connectionId, draft.Ttl, draft.Options, ct);
        var key = caller.Queue(queue, kind);
        _live[id] = (connectionId, key);
        _byConnection.GetOrAdd(connectionId, static _ => new ConcurrentDictionary<Guid, byte>())[id] = 0;
        try
        {
            await _push.HoldAsync(connectionId, key, id.ToString("N"), ct);
        }
        catch (HubException)
        {
            // The connection ended while the subscription was being made: it must not outlive it.
            Release([id]);
            _byConnection.TryRemove(connectionId, out _);
            await _subscriptions.DeleteConnectionSubscriptionsAsync([(id, key)], CancellationToken.None);
            throw;
        }
        return view;
    }

    /// <summary>Checks now and then that the subscriptions still exist and have not expired.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _subscriptions.CheckConnectionSubscriptionsAsync(
            TimeSpan.FromSeconds(_options.Value.HubSubscriptionCheckSeconds), () => _live.Select(h => (h.Key, h.Value.Queue)).ToList(), Release,
            failure => CheckFailed(_logger, failure), stoppingToken);

    private void Release(IReadOnlyList<Guid> ids)
    {
        foreach (var id in ids)
        {
            if (_live.TryRemove(id, out var held))
            {
                _push.Release(held.ConnectionId, held.Queue, id.ToString("N"));
                if (_byConnection.TryGetValue(held.ConnectionId, out var owned))
                {
                    owned.TryRemove(id, out _);
                }
            }
        }
    }

    private void OnDisconnected(string connectionId)
    {
        if (!_byConnection.TryRemove(connectionId, out var ids))
        {
            return;
        }
        var ended = new List<(Guid, QueueRef)>(ids.Count);
        foreach (var id in ids.Keys)
        {
            if (_live.TryRemove(id, out var held))
            {
                ended.Add((id, held.Queue));
            }
        }
        if (ended.Count > 0)
        {
            _ = DeleteAsync(ended);
        }
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
            DeleteFailed(_logger, ids.Count, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Checking hub-connection subscriptions failed; checking again at the next interval",
        EventName = "HubSubscriptionCheckFailed")]
    private static partial void CheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "Deleting {Count} subscriptions of an ended hub connection failed; they end with their ttl",
        EventName = "HubSubscriptionDeleteFailed")]
    private static partial void DeleteFailed(ILogger logger, int count, Exception exception);
}
