namespace Zaqar.Client;

// Presence (issue 13): counts of subscribed connections across all nodes, and joins and leaves as they happen.
public sealed partial class ZaqarHubClient
{
    /// <summary>The connections subscribed to <paramref name="queue"/> on every node (REST: GET /v2/queues/{queue}/presence).</summary>
    public Task<Presence> GetPresenceAsync(string queue, CancellationToken cancellationToken = default) =>
        CallAsync<Presence>("GetPresence", [queue], cancellationToken);

    /// <summary><see cref="GetPresenceAsync"/> for a topic.</summary>
    public Task<Presence> GetTopicPresenceAsync(string topic, CancellationToken cancellationToken = default) =>
        CallAsync<Presence>("GetTopicPresence", [topic], cancellationToken);

    /// <summary>
    /// Hands <paramref name="handler"/> the presence of <paramref name="queue"/> now, then every join and leave, until the
    /// returned registration is disposed. After a reconnect the watch is made again and the handler gets a new snapshot
    /// (the changes made meanwhile are not replayed). Adding 1 per join and taking 1 per leave keeps a count current.
    /// </summary>
    public Task<IAsyncDisposable> WatchPresenceAsync(string queue, Func<PresenceUpdate, Task> handler, CancellationToken cancellationToken = default) =>
        _presence.AddAsync(topic: false, queue, handler, cancellationToken);

    /// <summary><see cref="WatchPresenceAsync"/> for a topic.</summary>
    public Task<IAsyncDisposable> WatchTopicPresenceAsync(string topic, Func<PresenceUpdate, Task> handler, CancellationToken cancellationToken = default) =>
        _presence.AddAsync(topic: true, topic, handler, cancellationToken);
}
