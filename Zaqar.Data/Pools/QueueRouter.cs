using Zaqar.Data.Stores;

namespace Zaqar.Data.Pools;

/// <summary>
/// Where a queue's rows are: its database, and whether this route may create the queue there. A route read from the
/// catalogue just now may; one from a node's cache may not (the queue may have been deleted and placed elsewhere since).
/// </summary>
public readonly record struct QueueRoute(PoolTarget Target, bool MayCreate);

/// <summary>Where a new queue goes: any pool by weight, the pools of its flavor, or one named pool (the health check's).</summary>
public readonly record struct Placement(string? Flavor = null, string? Pool = null)
{
    public static readonly Placement Any;
}

/// <summary>
/// The one place that knows which database holds a queue (issue #6). Every queue-scoped store asks it for the
/// <see cref="QueueRoute"/> of its <see cref="QueueRef"/> instead of holding a data source: without pooling every route is
/// the primary database (<see cref="SingleDatabaseRouter"/>), with it the catalogue decides (<see cref="PooledQueueRouter"/>).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public abstract class QueueRouter
{
    /// <summary>
    /// The database of an existing queue, for reads and changes. A queue nobody created routes to the primary database,
    /// where the statements find nothing, as they would anywhere.
    /// </summary>
    public abstract ValueTask<QueueRoute> RouteAsync(QueueRef queue, CancellationToken ct);

    /// <summary>
    /// The database of a queue that an operation may create: placed (and registered) by <paramref name="placement"/> when
    /// new. With <paramref name="trustCache"/> a cached route is returned as is, with <see cref="QueueRoute.MayCreate"/>
    /// false: the caller must not create the queue on it, and calls again without trusting the cache when it's not there.
    /// </summary>
    public abstract ValueTask<QueueRoute> PlaceAsync(QueueRef queue, Placement placement, bool trustCache, CancellationToken ct);

    /// <summary>The queue was not where its cached route said: forget the route.</summary>
    public abstract void Forget(QueueRef queue);

    /// <summary>Forget every cached route (catalog changes may have been missed).</summary>
    public abstract void ForgetAll();

    /// <summary>Drops cached routes past their time, so the cache holds only queues in recent use.</summary>
    public abstract void Prune();

    /// <summary>
    /// <paramref name="queue"/> is about to be deleted from its database: it leaves listings now, and keeps its database
    /// (so a queue created meanwhile lands beside the row being deleted, never elsewhere with the old row left behind).
    /// </summary>
    public abstract Task DeletingAsync(QueueRef queue, CancellationToken ct);

    /// <summary>
    /// The queue's row was deleted. Its name leaves the catalogue, unless it was created again meanwhile, or
    /// <paramref name="keepPinned"/> (its subscriptions survive there): then it stays on that database, unlisted, so they
    /// apply again when it comes back.
    /// </summary>
    public abstract Task DeletedAsync(QueueRef queue, bool keepPinned, CancellationToken ct);

    /// <summary>A statement created <paramref name="queue"/> on <paramref name="target"/> as a side effect (a claim's dead-letter queue).</summary>
    public abstract Task AdoptAsync(QueueRef queue, PoolTarget target, CancellationToken ct);

    /// <summary>
    /// One page of a project's queues in name order after <paramref name="marker"/>, across every database.
    /// <see cref="StoredQueue.Metadata"/> is read only with <paramref name="withMetadata"/> (else it may be <c>{}</c>).
    /// </summary>
    public abstract Task<IReadOnlyList<StoredQueue>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter, bool withMetadata,
        CancellationToken ct);

    public abstract Task<long> CountAsync(string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct);
}

/// <summary>No pooling: every queue lives in the primary database, exactly as before pools existed; no catalog is read.</summary>
/// <remarks>Singleton; stateless.</remarks>
public sealed class SingleDatabaseRouter(PoolTarget primary) : QueueRouter
{
    private readonly QueueRoute _route = new(primary, MayCreate: true);

    public override ValueTask<QueueRoute> RouteAsync(QueueRef queue, CancellationToken ct) => new(_route);

    public override ValueTask<QueueRoute> PlaceAsync(QueueRef queue, Placement placement, bool trustCache, CancellationToken ct) => new(_route);

    public override void Forget(QueueRef queue)
    {
    }

    public override void ForgetAll()
    {
    }

    public override void Prune()
    {
    }

    public override Task DeletingAsync(QueueRef queue, CancellationToken ct) => Task.CompletedTask;

    public override Task DeletedAsync(QueueRef queue, bool keepPinned, CancellationToken ct) => Task.CompletedTask;

    public override Task AdoptAsync(QueueRef queue, PoolTarget target, CancellationToken ct) => Task.CompletedTask;

    public override Task<IReadOnlyList<StoredQueue>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter, bool withMetadata,
        CancellationToken ct) =>
        QueueListing.PageAsync(primary, project, kind, marker, limit, nameContains, metadataFilter, ct);

    public override Task<long> CountAsync(string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct) =>
        QueueListing.CountAsync(primary, project, kind, nameContains, metadataFilter, ct);
}
