using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Client;

/// <summary>
/// The connection's push subscriptions: which queues and topics it is subscribed to, the handlers of each, and the one
/// registration per hub method that hands pushed messages to them. Makes the subscriptions again after a reconnect.
/// </summary>
/// <remarks>Thread-safe (the registry's lock over the handler lists, one over the positions; handlers run outside both).</remarks>
internal sealed class PushRouter
{
    private readonly HubConnection _connection;
    private readonly HandlerRegistry<Func<PushedMessage, Task>> _handlers = new();

    /// <summary>The furthest message handed out per queue or topic (issue 13): a reconnect resumes after it.</summary>
    private readonly Dictionary<(bool Topic, string Name), (long Position, string Id)> _lastSeen = [];

    public PushRouter(HubConnection connection)
    {
        _connection = connection;
        connection.On<string, PushedMessage[]>("Messages", (queue, messages) => DispatchAsync((false, queue), messages));
        connection.On<string, PushedMessage[]>("TopicMessages", (topic, messages) => DispatchAsync((true, topic), messages));
    }

    /// <summary>Adds a handler; the first one of a queue or topic subscribes the connection.</summary>
    public async Task<IAsyncDisposable> AddAsync(bool topic, string name, Func<PushedMessage, Task> handler, CancellationToken cancellationToken)
    {
        if (_handlers.Add(topic, name, handler))
        {
            try
            {
                await _connection.InvokeCoreAsync(topic ? "SubscribeTopic" : "Subscribe", [name], cancellationToken);
            }
            catch (Exception ex)
            {
                _handlers.Remove(topic, name, handler);
                throw ex is Microsoft.AspNetCore.SignalR.HubException hub ? ZaqarException.From(hub) : ex;
            }
        }
        return _handlers.Registration(_connection, topic, name, handler, topic ? "UnsubscribeTopic" : "Unsubscribe");
    }

    /// <summary>
    /// Subscribes the (new) connection to every queue and topic that has handlers, each resuming after the last message
    /// its handlers were given (issue 13), so what was posted meanwhile comes first and nothing is lost or repeated.
    /// </summary>
    public async Task ResubscribeAsync()
    {
        var held = _handlers.All();
        ((bool Topic, string Name) Key, string? Since)[] keys;
        lock (_lastSeen)
        {
            keys = [.. held.Select(h => (h.Key, _lastSeen.TryGetValue(h.Key, out var seen) ? seen.Id : (string?)null))];
        }
        foreach (var ((topic, name), since) in keys)
        {
            if (since is null)
            {
                await _connection.InvokeCoreAsync(topic ? "SubscribeTopic" : "Subscribe", [name]);
                continue;
            }
            try
            {
                await _connection.InvokeCoreAsync<SubscribeResult>(
                    topic ? "SubscribeTopicSince" : "SubscribeSince", [name, new SubscribeOptions(since)]);
            }
            catch (Microsoft.AspNetCore.SignalR.HubException ex) when (ZaqarException.From(ex).Status == 400)
            {
                // The queue no longer knows that position (deleted and made again meanwhile): start from its new messages.
                await _connection.InvokeCoreAsync(topic ? "SubscribeTopic" : "Subscribe", [name]);
            }
        }
    }

    private async Task DispatchAsync((bool Topic, string Name) key, PushedMessage[] messages)
    {
        var handlers = _handlers.Of(key);
        foreach (var message in messages)
        {
            foreach (var handler in handlers)
            {
                await handler(message);
            }
            Seen(key, message.Id);
        }
    }

    private void Seen((bool Topic, string Name) key, string id)
    {
        // A message id carries its queue position in its high 64 bits (README, "How the queue works").
        if (!Guid.TryParse(id, out var guid))
        {
            return;
        }
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        var position = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes);
        lock (_lastSeen)
        {
            if (!_lastSeen.TryGetValue(key, out var seen) || position > seen.Position)
            {
                _lastSeen[key] = (position, id);
            }
        }
    }
}
