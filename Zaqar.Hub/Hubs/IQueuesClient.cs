using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>What the server calls on hub clients.</summary>
public interface IQueuesClient
{
    /// <summary>New messages on a queue the connection subscribed to, right after their post committed.</summary>
    Task Messages(string queue, IReadOnlyList<PushedMessageView> messages);
}
