using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Client;

/// <summary>
/// The handlers a connection holds per queue or topic (push subscriptions, presence watches): the first handler of a
/// queue is the one that makes the hub call, and the last one to go undoes it.
/// </summary>
/// <remarks>Thread-safe (one lock over the lists; handlers run outside it).</remarks>
internal sealed class HandlerRegistry<THandler>
    where THandler : class
{
    private readonly Dictionary<(bool Topic, string Name), List<THandler>> _handlers = [];

    /// <summary>Adds a handler; true when it is the first of its queue or topic.</summary>
    public bool Add(bool topic, string name, THandler handler)
    {
        lock (_handlers)
        {
            if (!_handlers.TryGetValue((topic, name), out var list))
            {
                _handlers[(topic, name)] = list = [];
            }
            list.Add(handler);
            return list.Count == 1;
        }
    }

    /// <summary>Drops a handler; true when it was the last of its queue or topic.</summary>
    public bool Remove(bool topic, string name, THandler handler)
    {
        lock (_handlers)
        {
            return _handlers.TryGetValue((topic, name), out var list) && list.Remove(handler) && list.Count == 0;
        }
    }

    /// <summary>The handlers of one queue or topic now.</summary>
    public THandler[] Of((bool Topic, string Name) key)
    {
        lock (_handlers)
        {
            return _handlers.TryGetValue(key, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Every queue or topic that has handlers, with them.</summary>
    public ((bool Topic, string Name) Key, THandler[] Handlers)[] All()
    {
        lock (_handlers)
        {
            return [.. _handlers.Where(h => h.Value.Count > 0).Select(h => (h.Key, h.Value.ToArray()))];
        }
    }

    /// <summary>
    /// What <c>Add</c>'s caller hands back: disposing it drops the handler and, for the last one of its queue or topic,
    /// calls <paramref name="undoMethod"/> on the hub while connected.
    /// </summary>
    public IAsyncDisposable Registration(HubConnection connection, bool topic, string name, THandler handler, string undoMethod) =>
        new Handle(this, connection, topic, name, handler, undoMethod);

    private sealed class Handle(
        HandlerRegistry<THandler> registry, HubConnection connection, bool topic, string name, THandler handler, string undoMethod) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0 && registry.Remove(topic, name, handler) &&
                connection.State == HubConnectionState.Connected)
            {
                await connection.InvokeCoreAsync(undoMethod, [name]);
            }
        }
    }
}
