namespace Zaqar.Data.Entities;

/// <summary>
/// A service node that is (or was lately) running, in the primary database (issue 13, presence): each node pushes
/// <see cref="ExpiresAt"/> forward every few seconds, so a node that stopped doing so is known dead once it passes, and its
/// presence rows are ignored, then removed.
/// </summary>
public sealed class ClusterNodeEntity
{
    /// <summary>The node's random id (a restarted process is a new node).</summary>
    public required string NodeId { get; set; }

    public DateTime StartedAt { get; set; }

    /// <summary>The database's clock at the node's last heartbeat: one clock for every node.</summary>
    public DateTime SeenAt { get; set; }

    /// <summary>
    /// When the node is dead unless it beats again: its last heartbeat plus its own timeout, so nodes configured with
    /// different timeouts never judge each other by theirs.
    /// </summary>
    public DateTime ExpiresAt { get; set; }
}

/// <summary>One connection of one node subscribed to one queue or topic (issue 13, presence).</summary>
public sealed class PresenceEntity
{
    public required string Project { get; set; }

    public QueueKind Kind { get; set; }

    public required string Queue { get; set; }

    public required string NodeId { get; set; }

    /// <summary>The connection's id on its node (a hub connection id, or a Zaqar websocket's).</summary>
    public required string ConnectionId { get; set; }

    /// <summary>The Client-ID the connection identified itself with.</summary>
    public required string ClientId { get; set; }

    public DateTime JoinedAt { get; set; }
}
