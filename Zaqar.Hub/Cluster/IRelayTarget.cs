using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// Whoever pushes to subscribers on this node and wants the messages other nodes posted, as the cluster feed reads them
/// back (the hub's push dispatcher; Zaqar's websocket subscribers, issue 13). The feed calls every registered target
/// with what the <see cref="PushLedger"/> admitted; a target pushes only to its own subscribers of that queue, and keeps
/// the ledger told of them (WatchAsync/Unwatch) so their queues are read at all. The feed knows targets only by this
/// interface, so push depends on the cluster and never the other way (issue 12 item 7).
/// </summary>
/// <remarks>Called on the feed's loop: implementations only hand the work off, never wait on a subscriber.</remarks>
public interface IRelayTarget
{
    void Relay(QueueRef queue, IReadOnlyList<PushedMessageView> messages);
}
