using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Zaqar.Data.Stores;

namespace Zaqar.Data.Pools;

/// <summary>
/// Routing through the catalogue (issue #6): each queue's pool is read from the primary database once and cached, so a
/// cached route costs no round trip. New queues are placed on a pool chosen at random by weight (or among their flavor's
/// pools) and registered before their first row is written.
/// </summary>
/// <remarks>
/// <para>
/// Several nodes share the catalogue, so a cached route can be stale: the queue may have been deleted and placed on
/// another pool by another node. Stale routes must never create rows on the wrong pool, so anything that may create a
/// queue either reads the catalogue first (<see cref="PlaceAsync"/> without trusting the cache), or, on the post hot
/// path, trusts the cache only to write into an existing queue row and reads the catalogue when the row is not there.
/// Reads through a stale route find an empty queue until the route is dropped: at once when the deleting node's NOTIFY
/// arrives, at the latest after <see cref="PoolingOptions.CatalogCacheSeconds"/>.
/// </para>
/// <para>Unregistered queues are never cached: a queue another node creates must be found at the next lookup. Singleton; thread-safe.</para>
/// </remarks>
public sealed partial class PooledQueueRouter(
    PoolRegistry registry, CatalogueStore catalogue, IOptions<PoolingOptions> options, ILogger<PooledQueueRouter> logger) : QueueRouter
{
    // Metadata filters can only be applied in the pools: the catalogue is read in chunks of at least this many names.
    private const int FilteredChunk = 100;

    private readonly ConcurrentDictionary<QueueRef, Cached> _routes = new();
    private readonly long _ttlMs = options.Value.CatalogCacheSeconds * 1000L;

    public override ValueTask<QueueRoute> RouteAsync(QueueRef queue, CancellationToken ct) =>
        TryCached(queue, out var route) ? new(route) : new(LookupAsync(queue, ct));

    public override ValueTask<QueueRoute> PlaceAsync(QueueRef queue, Placement placement, bool trustCache, CancellationToken ct) =>
        trustCache && TryCached(queue, out var route) ? new(route) : new(PlaceCoreAsync(queue, placement, ct));

    public override void Forget(QueueRef queue) => _routes.TryRemove(queue, out _);

    public override void ForgetAll() => _routes.Clear();

    public override void Prune()
    {
        var now = Environment.TickCount64;
        foreach (var (queue, cached) in _routes)
        {
            if (cached.ExpiresAt <= now)
            {
                _routes.TryRemove(KeyValuePair.Create(queue, cached));
            }
        }
    }

    public override Task DeletingAsync(QueueRef queue, CancellationToken ct) => catalogue.UnlistAsync(queue, ct);

    public override async Task DeletedAsync(QueueRef queue, bool keepPinned, CancellationToken ct)
    {
        _routes.TryRemove(queue, out _);
        await catalogue.DeregisterAsync(queue, keepPinned, ct);
    }

    public override async Task AdoptAsync(QueueRef queue, PoolTarget target, CancellationToken ct)
    {
        if (TryCached(queue, out var cached) && ReferenceEquals(cached.Target, target))
        {
            return;
        }
        var registered = await catalogue.RegisterAsync(queue, target.Name, ct);
        if (registered != target.Name)
        {
            // The dead-letter queue was placed on another pool before: the moved messages sit where nothing routes.
            AdoptedElsewhere(logger, queue.Project, queue.Name, target.Label, registered ?? PoolTarget.PrimaryLabel);
            return;
        }
        Remember(queue, registered);
    }

    public override async Task<IReadOnlyList<StoredQueue>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter, bool withMetadata,
        CancellationToken ct)
    {
        if (metadataFilter is null && !withMetadata)
        {
            // Names come from the catalogue alone: listing works while a pool is down.
            var names = await catalogue.ListAsync(project, kind, marker, limit, nameContains, ct);
            return names.Select(e => new StoredQueue(e.Name, "{}")).ToList();
        }
        var page = new List<StoredQueue>(limit);
        var chunk = metadataFilter is null ? limit : Math.Max(limit, FilteredChunk);
        var after = marker;
        while (true)
        {
            var entries = await catalogue.ListAsync(project, kind, after, chunk, nameContains, ct);
            var metadata = await MetadataAsync(project, kind, entries, metadataFilter, ct);
            foreach (var (name, _) in entries)
            {
                if (metadata.TryGetValue(name, out var found))
                {
                    page.Add(new StoredQueue(name, found));
                }
                else if (metadataFilter is null)
                {
                    page.Add(new StoredQueue(name, "{}")); // Registered, row not written yet: a lazy queue.
                }
                if (page.Count == limit)
                {
                    return page;
                }
            }
            if (entries.Count < chunk)
            {
                return page;
            }
            after = entries[^1].Name;
        }
    }

    public override async Task<long> CountAsync(string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct)
    {
        if (metadataFilter is null)
        {
            return await catalogue.CountAsync(project, kind, nameContains, ct);
        }
        var counts = await Task.WhenAll(registry.Targets.Select(t =>
            QueueListing.CountAsync(t, project, kind, nameContains, metadataFilter, ct)));
        return counts.Sum();
    }

    private bool TryCached(QueueRef queue, out QueueRoute route)
    {
        if (_routes.TryGetValue(queue, out var cached) && cached.ExpiresAt > Environment.TickCount64 &&
            registry.TryGetTarget(cached.Pool, out var target))
        {
            route = new QueueRoute(target, MayCreate: false);
            return true;
        }
        route = default;
        return false;
    }

    private async Task<QueueRoute> LookupAsync(QueueRef queue, CancellationToken ct)
    {
        var entry = await catalogue.GetAsync(queue, ct);
        return entry is { } e
            ? new QueueRoute(await TargetAsync(queue, e.Pool, ct), MayCreate: false)
            : new QueueRoute(registry.Primary, MayCreate: false);
    }

    private async Task<QueueRoute> PlaceCoreAsync(QueueRef queue, Placement placement, CancellationToken ct)
    {
        var entry = await catalogue.GetAsync(queue, ct);
        if (entry is { Listed: true } listed)
        {
            return new QueueRoute(await TargetAsync(queue, listed.Pool, ct), MayCreate: true);
        }
        // An unlisted entry keeps its pool: the queue's surviving subscriptions are there.
        var pool = entry is { } pinned ? pinned.Pool : await ChooseAsync(placement, ct);
        string? registered;
        try
        {
            registered = await catalogue.RegisterAsync(queue, pool, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation && entry is null)
        {
            // The chosen pool was deleted meanwhile (by another node): choose among the pools left.
            await registry.ReloadAsync(ct);
            registered = await catalogue.RegisterAsync(queue, await ChooseAsync(placement, ct), ct);
        }
        return new QueueRoute(await TargetAsync(queue, registered, ct), MayCreate: true);
    }

    /// <summary>The pool of a new queue; null (the primary database) when there is no flavor and no pool takes new queues.</summary>
    private async Task<string?> ChooseAsync(Placement placement, CancellationToken ct)
    {
        if (!registry.Loaded)
        {
            await registry.ReloadAsync(ct);
        }
        if (placement.Pool is { } pool)
        {
            return registry.IsPool(pool) || (await ReloadedAsync(ct)).IsPool(pool) ? pool : throw new PoolUnavailableException($"Pool {pool} does not exist.");
        }
        if (placement.Flavor is { } flavor)
        {
            if (!registry.HasFlavor(flavor) && !(await ReloadedAsync(ct)).HasFlavor(flavor))
            {
                throw new FlavorNotFoundException(flavor);
            }
            // The flavor may have gained a pool on another node since this node's last reload.
            return registry.Pick(flavor) ?? (await ReloadedAsync(ct)).Pick(flavor)
                ?? throw new PoolUnavailableException($"No pool of flavor {flavor} takes new queues.");
        }
        return registry.Pick(null);
    }

    private async Task<PoolTarget> TargetAsync(QueueRef queue, string? pool, CancellationToken ct)
    {
        if (!registry.TryGetTarget(pool, out var target))
        {
            // Registered on a pool this node has not heard of yet.
            await registry.ReloadAsync(ct);
            if (!registry.TryGetTarget(pool, out target))
            {
                throw new PoolUnavailableException($"Pool {pool} is not registered.");
            }
        }
        Remember(queue, pool);
        return target;
    }

    private async Task<PoolRegistry> ReloadedAsync(CancellationToken ct)
    {
        await registry.ReloadAsync(ct);
        return registry;
    }

    private async Task<Dictionary<string, string>> MetadataAsync(
        string project, QueueKind kind, IReadOnlyList<(string Name, string? Pool)> entries, string? metadataFilter, CancellationToken ct)
    {
        var reads = new List<Task<Dictionary<string, string>>>();
        foreach (var group in entries.GroupBy(e => e.Pool))
        {
            if (!registry.TryGetTarget(group.Key, out var target) && !(await ReloadedAsync(ct)).TryGetTarget(group.Key, out target))
            {
                throw new PoolUnavailableException($"Pool {group.Key} is not registered.");
            }
            reads.Add(QueueListing.MetadataAsync(target, project, kind, group.Select(e => e.Name).ToList(), metadataFilter, ct));
        }
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var read in await Task.WhenAll(reads))
        {
            foreach (var (name, metadata) in read)
            {
                found[name] = metadata;
            }
        }
        return found;
    }

    private void Remember(QueueRef queue, string? pool) => _routes[queue] = new Cached(pool, Environment.TickCount64 + _ttlMs);

    [LoggerMessage(1, LogLevel.Warning,
        "Queue {Queue} of project {Project} was created on {Pool} as a dead-letter queue, but the catalogue places it on {Registered}; " +
        "messages moved there are not reachable", EventName = "AdoptedElsewhere")]
    private static partial void AdoptedElsewhere(ILogger logger, string project, string queue, string pool, string registered);

    private sealed record Cached(string? Pool, long ExpiresAt);
}
