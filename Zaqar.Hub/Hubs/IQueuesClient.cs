using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>What the server calls on hub clients.</summary>
public interface IQueuesClient
{
    /// <summary>New messages on a queue the connection subscribed to, right after their post committed.</summary>
    Task Messages(string queue, IReadOnlyList<PushedMessageView> messages);

    /// <summary>
    /// New messages on a topic the connection subscribed to. A method of its own, since a queue and a topic may
    /// share a name.
    /// </summary>
    Task TopicMessages(string topic, IReadOnlyList<PushedMessageView> messages);

    /// <summary>Connections that joined or left a queue the connection watches (SubscribePresence, issue 13), on any node.</summary>
    Task Presence(string queue, IReadOnlyList<PresenceEventView> changes);

    /// <summary>The same for a topic (SubscribeTopicPresence).</summary>
    Task TopicPresence(string topic, IReadOnlyList<PresenceEventView> changes);
}
