using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Zaqar.Data.Entities;

namespace Zaqar.Data.Pools;

/// <summary>
/// The catalogue in the primary database (issue #6): which pool each queue and topic lives on. It is the source of truth
/// of routing: <see cref="PooledQueueRouter"/> caches it, and reads it again before anything that may create a queue.
/// </summary>
/// <remarks>
/// EF Core (issue 12 item 11): LINQ reads (the route lookup compiled, as every uncached route reads it), ExecuteUpdate and
/// ExecuteDelete; SQL through the same context for the upserts and pg_notify, which EF can't say. Singleton; thread-safe.
/// </remarks>
public sealed class CatalogueStore(IDbContextFactory<ZaqarDbContext> contexts, IOptions<PoolingOptions> options)
{
    private static readonly Func<ZaqarDbContext, string, QueueKind, string, CancellationToken, Task<CatalogueEntity?>> Entry =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string name, CancellationToken ct) =>
            db.Catalogue.AsNoTracking().FirstOrDefault(c => c.Project == project && c.Kind == kind && c.Name == name));

    public async Task<CatalogueEntry?> GetAsync(QueueRef queue, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Entry(db, queue.Project, queue.Kind, queue.Name, ct) is { } e ? new CatalogueEntry(e.Pool, e.Listed) : null;
    }

    /// <summary>
    /// Registers the queue on <paramref name="pool"/> (null: the primary database) unless it is registered already, and
    /// lists it either way. Returns the pool the queue is registered on: the first registration wins a race.
    /// </summary>
    public async Task<string?> RegisterAsync(QueueRef queue, string? pool, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // An upsert that returns the winner: one statement EF can't say.
        var registered = await db.Database.SqlQuery<string?>(
            $"""
            INSERT INTO catalogue AS c (project, kind, name, pool, listed) VALUES ({queue.Project}, {(short)queue.Kind}, {queue.Name}, {pool}, true)
            ON CONFLICT (project, kind, name) DO UPDATE SET listed = true
            RETURNING c.pool AS "Value"
            """).ToListAsync(ct);
        return registered[0];
    }

    /// <summary>A queue is being deleted: it leaves listings first (it keeps its pool until <see cref="DeregisterAsync"/>).</summary>
    public async Task UnlistAsync(QueueRef queue, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await Of(db, queue).ExecuteUpdateAsync(s => s.SetProperty(c => c.Listed, false), ct);
    }

    /// <summary>
    /// The queue's row is gone: its entry goes too, unless the queue came back meanwhile (listed again) or
    /// <paramref name="keepPinned"/> (its subscriptions survive on its pool). Every node is told in the same transaction.
    /// </summary>
    public async Task DeregisterAsync(QueueRef queue, bool keepPinned, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!keepPinned)
        {
            await Of(db, queue).Where(c => !c.Listed).ExecuteDeleteAsync(ct);
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({options.Value.Channel}, {CatalogChanges.Queue(queue)})", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>One page of a project's listed queues in name order after <paramref name="marker"/>, with their pools.</summary>
    public async Task<IReadOnlyList<(string Name, string? Pool)>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, CancellationToken ct)
    {
        var after = marker ?? string.Empty;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var page = await Listed(db, project, kind, nameContains).Where(c => string.Compare(c.Name, after) > 0)
            .OrderBy(c => c.Name).Take(limit).Select(c => new { c.Name, c.Pool }).ToListAsync(ct);
        return page.Select(c => (c.Name, c.Pool)).ToList();
    }

    public async Task<long> CountAsync(string project, QueueKind kind, string? nameContains, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Listed(db, project, kind, nameContains).LongCountAsync(ct);
    }

    /// <summary>
    /// Registers the primary database's queues the catalogue does not know yet (created before pooling was turned on),
    /// so they stay where they are rather than being placed again. Returns how many.
    /// </summary>
    public async Task<int> AdoptPrimaryQueuesAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // INSERT ... SELECT ... ON CONFLICT DO NOTHING: a bulk statement EF can't say.
        return await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO catalogue (project, kind, name, pool, listed)
            SELECT q.project, q.kind, q.name, NULL, true FROM queues q
            ON CONFLICT (project, kind, name) DO NOTHING
            """, ct);
    }

    private static IQueryable<CatalogueEntity> Of(ZaqarDbContext db, QueueRef queue) =>
        db.Catalogue.Where(c => c.Project == queue.Project && c.Kind == queue.Kind && c.Name == queue.Name);

    /// <summary>A project's listed entries, with the optional substring filter (LIKE with the filter escaped: a plain substring match).</summary>
    private static IQueryable<CatalogueEntity> Listed(ZaqarDbContext db, string project, QueueKind kind, string? nameContains)
    {
        var listed = db.Catalogue.AsNoTracking().Where(c => c.Project == project && c.Kind == kind && c.Listed);
        return nameContains is null ? listed : listed.Where(c => c.Name.Contains(nameContains));
    }
}
