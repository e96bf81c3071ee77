using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Presence (issue 13): how many connections are subscribed to a queue or topic across all nodes (and, for the project's
/// own credentials or an admin, their clients), and the joins and leaves as they happen.
/// </summary>
public sealed partial class QueuesHub
{
    /// <summary>The connections subscribed to <paramref name="queue"/> (REST: GET /v2/queues/{queue}/presence).</summary>
    public Task<PresenceView> GetPresence(string queue) => presence.GetAsync(Caller, queue, QueueKind.Queue, Context.ConnectionAborted);

    /// <summary>
    /// From now on, connections joining or leaving <paramref name="queue"/> arrive through <see cref="IQueuesClient.Presence"/>;
    /// answers the presence as it is now.
    /// </summary>
    public Task<PresenceView> SubscribePresence(string queue) =>
        presenceWatchers.WatchAsync(Context.ConnectionId, Caller, queue, QueueKind.Queue, Context.ConnectionAborted);

    public void UnsubscribePresence(string queue) => presenceWatchers.Unwatch(Context.ConnectionId, Caller, queue, QueueKind.Queue);

    public Task<PresenceView> GetTopicPresence(string topic) => presence.GetAsync(Caller, topic, QueueKind.Topic, Context.ConnectionAborted);

    /// <summary><see cref="SubscribePresence"/> for a topic: the changes arrive through <see cref="IQueuesClient.TopicPresence"/>.</summary>
    public Task<PresenceView> SubscribeTopicPresence(string topic) =>
        presenceWatchers.WatchAsync(Context.ConnectionId, Caller, topic, QueueKind.Topic, Context.ConnectionAborted);

    public void UnsubscribeTopicPresence(string topic) => presenceWatchers.Unwatch(Context.ConnectionId, Caller, topic, QueueKind.Topic);
}
