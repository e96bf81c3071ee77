using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// A node-local registry of push subscribers that also wants the messages other nodes posted, as the cluster feed reads
/// them back (issue 13: Zaqar's websocket subscribers, beside the hub's <see cref="Hubs.PushDispatcher"/>). The feed
/// calls every registered target with what the <see cref="PushLedger"/> admitted; a target pushes only to its own
/// subscribers of that queue, and keeps the ledger told of them (WatchAsync/Unwatch) so their queues are read at all.
/// </summary>
/// <remarks>Called on the feed's loop: implementations only hand the work off, never wait on a subscriber.</remarks>
public interface IRelayTarget
{
    void Relay(QueueRef queue, IReadOnlyList<PushedMessageView> messages);
}
