using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Client;

/// <summary>
/// The connection's presence watches (issue 13): one registration per hub method hands joins and leaves to the handlers
/// of their queue or topic; the watches are made again after a reconnect, each handler getting a fresh snapshot.
/// </summary>
/// <remarks>Thread-safe (the registry's lock over the handler lists; handlers run outside it).</remarks>
internal sealed class PresenceRouter
{
    private readonly HubConnection _connection;
    private readonly HandlerRegistry<Func<PresenceUpdate, Task>> _handlers = new();

    public PresenceRouter(HubConnection connection)
    {
        _connection = connection;
        connection.On<string, PresenceChange[]>("Presence", (queue, changes) => DispatchAsync((false, queue), new PresenceUpdate(null, changes)));
        connection.On<string, PresenceChange[]>("TopicPresence", (topic, changes) => DispatchAsync((true, topic), new PresenceUpdate(null, changes)));
    }

    /// <summary>Adds a handler and hands it the presence now; the first one of a queue or topic starts the watch.</summary>
    public async Task<IAsyncDisposable> AddAsync(bool topic, string name, Func<PresenceUpdate, Task> handler, CancellationToken cancellationToken)
    {
        _handlers.Add(topic, name, handler);
        Presence now;
        try
        {
            // Asked by every handler (not only the first), so each starts from a snapshot of its own.
            now = await _connection.InvokeCoreAsync<Presence>(Method(topic), [name], cancellationToken);
        }
        catch (Exception ex)
        {
            _handlers.Remove(topic, name, handler);
            throw ex is Microsoft.AspNetCore.SignalR.HubException hub ? ZaqarException.From(hub) : ex;
        }
        await handler(new PresenceUpdate(now, []));
        return _handlers.Registration(_connection, topic, name, handler, topic ? "UnsubscribeTopicPresence" : "UnsubscribePresence");
    }

    /// <summary>Watches again on the (new) connection, handing each handler a new snapshot.</summary>
    public async Task RewatchAsync()
    {
        foreach (var ((topic, name), handlers) in _handlers.All())
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
        foreach (var handler in _handlers.Of(key))
        {
            await handler(update);
        }
    }
}
