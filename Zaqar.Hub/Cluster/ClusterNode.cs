using System.Security.Cryptography;

namespace Zaqar.Hub.Cluster;

/// <summary>This process's identity among the nodes sharing the database: random per start, so a restarted node is a new one.</summary>
/// <remarks>Singleton; immutable.</remarks>
public sealed class ClusterNode
{
    /// <summary>16 hex digits, sent in every announcement so a node can ignore its own.</summary>
    public string Id { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
