using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Zaqar.Data.Entities;

namespace Zaqar.Data.Pools;

/// <summary>
/// Pools and flavors in the primary database's catalog (issue #6): what the admin routes read and write, and what
/// <see cref="PoolRegistry"/> loads. Every write announces itself on <see cref="PoolingOptions.Channel"/> in its own
/// transaction, so other nodes reload their pool list at once.
/// </summary>
/// <remarks>
/// A cold path, so EF Core (issue 12 item 11): LINQ reads, ExecuteUpdate/ExecuteDelete writes, and SQL through the same
/// context only for what EF can't say (the upsert, pg_notify). Singleton; thread-safe (a context per call).
/// </remarks>
public sealed class PoolStore(IDbContextFactory<ZaqarDbContext> contexts, IOptions<PoolingOptions> options)
{
    /// <summary>Every pool and every flavor name, for the registry.</summary>
    public async Task<(IReadOnlyList<PoolInfo> Pools, IReadOnlyList<string> Flavors)> LoadAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pools = await db.Pools.AsNoTracking().OrderBy(p => p.Name).Select(p => ToInfo(p)).ToListAsync(ct);
        var flavors = await db.Flavors.AsNoTracking().OrderBy(f => f.Name).Select(f => f.Name).ToListAsync(ct);
        return (pools, flavors);
    }

    /// <summary>One page of pools in name order after <paramref name="marker"/>.</summary>
    public async Task<IReadOnlyList<PoolInfo>> ListPoolsAsync(string? marker, int limit, CancellationToken ct = default)
    {
        var after = marker ?? string.Empty;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Pools.AsNoTracking().Where(p => string.Compare(p.Name, after) > 0)
            .OrderBy(p => p.Name).Take(limit).Select(p => ToInfo(p)).ToListAsync(ct);
    }

    public async Task<PoolInfo?> GetPoolAsync(string name, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Pools.AsNoTracking().Where(p => p.Name == name).Select(p => ToInfo(p)).FirstOrDefaultAsync(ct);
    }

    /// <summary>Registers the pool, or replaces every field of the pool of that name (Zaqar's PUT is an upsert).</summary>
    public async Task<PoolWriteOutcome> PutPoolAsync(PoolInfo pool, CancellationToken ct = default) =>
        (await WritePoolAsync(async db =>
        {
            // An upsert is one statement EF can't say (an update-else-insert pair races a concurrent PUT of the same name).
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO pools (name, uri, weight, flavor, options) VALUES ({pool.Name}, {pool.Uri}, {pool.Weight}, {pool.Flavor}, {pool.Options}::jsonb)
                ON CONFLICT (name) DO UPDATE SET uri = EXCLUDED.uri, weight = EXCLUDED.weight, flavor = EXCLUDED.flavor, options = EXCLUDED.options
                """, ct);
            return (PoolWriteOutcome.Written, (PoolInfo?)null);
        }, ct)).Outcome;

    /// <summary>Changes some fields of a pool; returns the pool after the change, or why it could not.</summary>
    public Task<(PoolWriteOutcome Outcome, PoolInfo? Pool)> UpdatePoolAsync(string name, PoolChanges changes, CancellationToken ct = default) =>
        WritePoolAsync(async db =>
        {
            // The update locks the row until commit, so the read after it sees this change and no other.
            var updated = await db.Pools.Where(p => p.Name == name).ExecuteUpdateAsync(s =>
            {
                if (changes is { Uri: null, Weight: null, SetFlavor: false, Options: null })
                {
                    s.SetProperty(p => p.Weight, p => p.Weight); // Nothing to change: still a statement that finds the row.
                }
                if (changes.Uri is { } uri)
                {
                    s.SetProperty(p => p.Uri, uri);
                }
                if (changes.Weight is { } weight)
                {
                    s.SetProperty(p => p.Weight, weight);
                }
                if (changes.SetFlavor)
                {
                    s.SetProperty(p => p.Flavor, changes.Flavor);
                }
                if (changes.Options is { } poolOptions)
                {
                    s.SetProperty(p => p.Options, poolOptions);
                }
            }, ct);
            return updated == 0
                ? (PoolWriteOutcome.NotFound, null)
                : (PoolWriteOutcome.Written, await db.Pools.AsNoTracking().Where(p => p.Name == name).Select(p => ToInfo(p)).FirstAsync(ct));
        }, ct);

    /// <summary>
    /// Deletes the pool unless a flavor or a queue still uses it. The pool's row is locked first: a queue being placed
    /// on it at the same time waits (its catalogue entry references the row), so the count of queues is exact.
    /// </summary>
    public async Task<PoolDeleteOutcome> DeletePoolAsync(string name, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // FOR UPDATE: LINQ has no row locks.
        var locked = await db.Pools.FromSql($"SELECT * FROM pools WHERE name = {name} FOR UPDATE").AsNoTracking().ToListAsync(ct);
        if (locked is not [var pool])
        {
            return default;
        }
        var queues = await db.Catalogue.LongCountAsync(c => c.Pool == name, ct);
        if (pool.Flavor is not null || queues > 0)
        {
            return new PoolDeleteOutcome(Refused: true, pool.Flavor, queues);
        }
        await db.Pools.Where(p => p.Name == name).ExecuteDeleteAsync(ct);
        await NotifyAsync(db, ct);
        await tx.CommitAsync(ct);
        return default;
    }

    /// <summary>One page of flavors in name order after <paramref name="marker"/>, with their pools.</summary>
    public async Task<IReadOnlyList<FlavorInfo>> ListFlavorsAsync(string? marker, int limit, CancellationToken ct = default)
    {
        var after = marker ?? string.Empty;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FlavorsAsync(db, db.Flavors.Where(f => string.Compare(f.Name, after) > 0).OrderBy(f => f.Name).Take(limit), ct);
    }

    public async Task<FlavorInfo?> GetFlavorAsync(string name, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await FlavorsAsync(db, db.Flavors.Where(f => f.Name == name), ct)).FirstOrDefault();
    }

    /// <summary>
    /// Makes <paramref name="pools"/> the flavor's pool list: creates the flavor unless <paramref name="mustExist"/>, moves
    /// the listed pools to it (a pool serves one flavor) and takes it off the others. Nothing changes when the flavor is
    /// missing (with <paramref name="mustExist"/>) or a listed pool does not exist.
    /// </summary>
    public async Task<FlavorWriteOutcome> PutFlavorAsync(string name, IReadOnlyList<string> pools, bool mustExist, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var found = await db.Flavors.AnyAsync(f => f.Name == name, ct);
        var existing = await db.Pools.Where(p => pools.Contains(p.Name)).Select(p => p.Name).ToListAsync(ct);
        var missing = pools.FirstOrDefault(p => !existing.Contains(p, StringComparer.Ordinal));
        if ((mustExist && !found) || missing is not null)
        {
            return new FlavorWriteOutcome(found, missing);
        }
        // Insert-if-absent is one statement EF can't say (a concurrent PUT of the same flavor would fail the insert).
        await db.Database.ExecuteSqlAsync($"INSERT INTO flavors (name) VALUES ({name}) ON CONFLICT DO NOTHING", ct);
        await db.Pools.Where(p => p.Flavor == name && !pools.Contains(p.Name)).ExecuteUpdateAsync(s => s.SetProperty(p => p.Flavor, (string?)null), ct);
        await db.Pools.Where(p => pools.Contains(p.Name)).ExecuteUpdateAsync(s => s.SetProperty(p => p.Flavor, name), ct);
        await NotifyAsync(db, ct);
        await tx.CommitAsync(ct);
        return new FlavorWriteOutcome(Found: true, MissingPool: null);
    }

    /// <summary>Deletes the flavor; its pools serve no flavor afterwards (the foreign key clears them).</summary>
    public async Task DeleteFlavorAsync(string name, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Flavors.Where(f => f.Name == name).ExecuteDeleteAsync(ct);
        await NotifyAsync(db, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Runs <paramref name="write"/> and the change notice in one transaction; maps the pool table's constraints.</summary>
    private async Task<(PoolWriteOutcome Outcome, PoolInfo? Pool)> WritePoolAsync(
        Func<ZaqarDbContext, Task<(PoolWriteOutcome, PoolInfo?)>> write, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var (outcome, pool) = await write(db);
            await NotifyAsync(db, ct);
            await tx.CommitAsync(ct);
            return (outcome, pool);
        }
        catch (Exception ex) when (Postgres(ex) is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_pools_uri" })
        {
            return (PoolWriteOutcome.UriInUse, null);
        }
        catch (Exception ex) when (Postgres(ex) is { SqlState: PostgresErrorCodes.ForeignKeyViolation, ConstraintName: "fk_pools_flavors" })
        {
            return (PoolWriteOutcome.FlavorMissing, null);
        }
    }

    private static PostgresException? Postgres(Exception ex) => ex as PostgresException ?? ex.InnerException as PostgresException;

    private Task NotifyAsync(ZaqarDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({options.Value.Channel}, {CatalogChanges.Pools})", ct);

    private static async Task<IReadOnlyList<FlavorInfo>> FlavorsAsync(ZaqarDbContext db, IQueryable<FlavorEntity> flavors, CancellationToken ct) =>
        await flavors.AsNoTracking()
            .Select(f => new FlavorInfo(f.Name, db.Pools.Where(p => p.Flavor == f.Name).OrderBy(p => p.Name).Select(p => p.Name).ToList()))
            .ToListAsync(ct);

    private static PoolInfo ToInfo(PoolEntity p) => new(p.Name, p.Uri, p.Weight, p.Flavor, p.Options);
}
