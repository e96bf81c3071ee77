namespace Zaqar.Data.Entities;

/// <summary>
/// A pool (issue #6): a PostgreSQL database that holds queues, registered in the primary database's catalog. New
/// queues land on pools chosen at random by <see cref="Weight"/>, or on the pools of their flavor.
/// </summary>
public sealed class PoolEntity
{
    public required string Name { get; set; }

    /// <summary>The pool database's Npgsql connection string (Zaqar calls it the uri). Unique: two pools are two databases.</summary>
    public required string Uri { get; set; }

    /// <summary>0..2^32-1; a pool of weight 0 gets no new queues.</summary>
    public long Weight { get; set; }

    /// <summary>The flavor this pool serves, if any (a pool belongs to at most one flavor, as in Zaqar).</summary>
    public string? Flavor { get; set; }

    /// <summary>Driver options as a JSON object (jsonb); kept and shown, as Zaqar does.</summary>
    public required string Options { get; set; }

    public FlavorEntity? FlavorEntity { get; set; }
}

/// <summary>A flavor: a named group of pools a queue can ask for with its <c>_flavor</c> metadata.</summary>
public sealed class FlavorEntity
{
    public required string Name { get; set; }
}

/// <summary>
/// The catalogue: which pool each queue or topic lives on. A null <see cref="Pool"/> is the primary database itself
/// (queues that predate pooling, and every queue while no pool is registered).
/// </summary>
public sealed class CatalogueEntity
{
    public required string Project { get; set; }

    public QueueKind Kind { get; set; }

    public required string Name { get; set; }

    public string? Pool { get; set; }

    /// <summary>
    /// False for a deleted queue whose subscriptions survive (Zaqar keeps them): the entry then only pins the name to its
    /// pool, so the subscriptions keep applying when the queue comes back; listings leave it out.
    /// </summary>
    public bool Listed { get; set; }

    public PoolEntity? PoolEntity { get; set; }
}
