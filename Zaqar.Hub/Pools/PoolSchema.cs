using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Pools;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hosting;

namespace Zaqar.Hub.Pools;

/// <summary>
/// Keeps every pool's schema up to date (issue #6): at start, and for pools this node has not migrated yet (added by
/// another node, or down at start) whenever the pool list is refreshed. A pool that can't be migrated now is tried again
/// at the next refresh; meanwhile only its own queues fail. Nothing is migrated with <c>Storage:MigrateOnStart</c> off:
/// operators who apply the schema themselves apply it to each pool too.
/// </summary>
/// <remarks>Singleton; thread-safe (runs are serialized).</remarks>
public sealed partial class PoolSchema(ZaqarDatabase database, PoolRegistry pools, IOptions<StorageOptions> storage, ILogger<PoolSchema> logger)
{
    private readonly HashSet<PoolTarget> _migrated = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Migrates the pools not migrated yet; failures are logged, never thrown.</summary>
    public async Task MigratePendingAsync(CancellationToken ct)
    {
        if (!storage.Value.MigrateOnStart)
        {
            return;
        }
        await _gate.WaitAsync(ct);
        try
        {
            var current = pools.Targets.Where(t => !t.IsPrimary).ToList();
            _migrated.IntersectWith(current);
            foreach (var target in current.Where(t => !_migrated.Contains(t)))
            {
                try
                {
                    await database.MigrateAsync(target, ct);
                    _migrated.Add(target);
                    Migrated(logger, target.Label);
                }
                catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) || ex is InvalidOperationException)
                {
                    MigrationFailed(logger, target.Label, ex);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Schema of pool {Pool} is up to date", EventName = "PoolMigrated")]
    private static partial void Migrated(ILogger logger, string pool);

    [LoggerMessage(2, LogLevel.Warning, "Migrating pool {Pool} failed; its queues fail until it succeeds at a later refresh",
        EventName = "PoolMigrationPending")]
    private static partial void MigrationFailed(ILogger logger, string pool, Exception exception);
}
