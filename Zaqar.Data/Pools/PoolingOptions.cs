using System.ComponentModel.DataAnnotations;

namespace Zaqar.Data.Pools;

/// <summary>
/// Pools and flavors (issue #6), bound by the host from the "Pools" section. Off (the default), every queue lives in
/// the primary database and no catalog is read.
/// </summary>
public sealed class PoolingOptions
{
    public const string SectionName = "Pools";

    /// <summary>
    /// Route queues through the catalogue to the pools registered with <c>PUT /v2/pools/{p}</c> (Zaqar's
    /// <c>pooling</c>). The admin routes also need <c>Zaqar:AdminMode</c>.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How long a node trusts a cached queue-to-pool mapping it heard nothing against. Other nodes' changes normally
    /// arrive at once by NOTIFY; this only bounds the harm of a lost one.
    /// </summary>
    [Range(1, 3600)] public int CatalogCacheSeconds { get; set; } = 30;

    /// <summary>How often the pool list is read again (other nodes' changes normally arrive by NOTIFY) and unmigrated pools retried.</summary>
    [Range(1, 3600)] public int RefreshSeconds { get; set; } = 30;

    /// <summary>The NOTIFY channel of catalog changes on the primary database; the same on every node of a service.</summary>
    [Required] public string Channel { get; set; } = "zaqarhub_catalog";

    /// <summary>How long registering a pool waits for its database to answer.</summary>
    [Range(1, 120)] public int ConnectTimeoutSeconds { get; set; } = 5;
}
