using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Client;

/// <summary>
/// The connection's presence watches (issue 13): one registration per hub method hands joins and leaves to the handlers
/// of their queue or topic; the watches are made again after a reconnect, each handler getting a fresh snapshot.
/// </summary>
/// <remarks>Thread-safe (one lock over the handler lists; handlers run outside it).</remarks>
internal sealed class PresenceRouter
{
    private readonly HubConnection _connection;
    private readonly Dictionary<(bool Topic, string Name), List<Func<PresenceUpdate, Task>>> _handlers = [];

    public PresenceRouter(HubConnection connection)
    {
        _connection = connection;
        connection.On<string, PresenceChange[]>("Presence", (queue, changes) => DispatchAsync((false, queue), new PresenceUpdate(null, changes)));
        connection.On<string, PresenceChange[]>("TopicPresence", (topic, changes) => DispatchAsync((true, topic), new PresenceUpdate(null, changes)));
    }

    /// <summary>Adds a handler and hands it the presence now; the first one of a queue or topic starts the watch.</summary>
    public async Task<IAsyncDisposable> AddAsync(bool topic, string name, Func<PresenceUpdate, Task> handler, CancellationToken cancellationToken)
    {
        lock (_handlers)
        {
            if (!_handlers.TryGetValue((topic, name), out var list))
            {
                _handlers[(topic, name)] = list = [];
            }
            list.Add(handler);
        }
        Presence now;
        try
        {
            // Asked by every handler (not only the first), so each starts from a snapshot of its own.
            now = await _connection.InvokeCoreAsync<Presence>(Method(topic), [name], cancellationToken);
        }
        catch (Exception ex)
        {
            Remove(topic, name, handler);
            throw ex is Microsoft.AspNetCore.SignalR.HubException hub ? ZaqarException.From(hub) : ex;
        }
        await handler(new PresenceUpdate(now, []));
        return new Registration(this, topic, name, handler);
    }

    /// <summary>Watches again on the (new) connection, handing each handler a new snapshot.</summary>
    public async Task RewatchAsync()
    {
        ((bool Topic, string Name) Key, Func<PresenceUpdate, Task>[] Handlers)[] watches;
        lock (_handlers)
        {
            watches = [.. _handlers.Where(h => h.Value.Count > 0).Select(h => (h.Key, h.Value.ToArray()))];
        }
        foreach (var ((topic, name), handlers) in watches)
        {
            var now = await _connection.InvokeCoreAsync<Presence>(Method(topic), [name]);
            foreach (var handler in handlers)
            {
                await handler(new PresenceUpdate(now, []));
            }
        }
    }

    private static string Method(bool topic) => topic ? "SubscribeTopicPresence" : "SubscribePresence";

    private async Task DispatchAsync((bool Topic, string Name) key, PresenceUpdate update)
    {
        Func<PresenceUpdate, Task>[] handlers;
        lock (_handlers)
        {
            handlers = _handlers.TryGetValue(key, out var list) ? [.. list] : [];
        }
        foreach (var handler in handlers)
        {
            await handler(update);
        }
    }

    /// <summary>Drops a handler; true when it was the last of its queue or topic.</summary>
    private bool Remove(bool topic, string name, Func<PresenceUpdate, Task> handler)
    {
        lock (_handlers)
        {
            return _handlers.TryGetValue((topic, name), out var list) && list.Remove(handler) && list.Count == 0;
        }
    }

    private sealed class Registration(PresenceRouter router, bool topic, string name, Func<PresenceUpdate, Task> handler) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && router.Remove(topic, name, handler) &&
                router._connection.State == HubConnectionState.Connected)
            {
                await router._connection.InvokeCoreAsync(topic ? "UnsubscribeTopicPresence" : "UnsubscribePresence", [name]);
            }
        }
    }
}
