using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Pools;
using Zaqar.Hub.Api;
using Zaqar.Hub.Pools;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// Applies pending migrations at start (hosted services start before the server accepts requests). With pooling on
/// (issue #6) it then registers the primary database's existing queues in the catalogue (they stay where they are),
/// loads the pool list and migrates every pool. A pool that is down does not stop the start: only its queues fail, and
/// its migration is retried at each refresh.
/// </summary>
internal sealed partial class DatabaseMigrator(
    ZaqarDatabase database, CatalogueStore catalogue, PoolRegistry pools, PoolSchema schema, IOptions<StorageOptions> options,
    IOptions<PoolingOptions> pooling, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await database.MigrateAsync(cancellationToken);
            Migrated(logger);
        }
        if (!pooling.Value.Enabled)
        {
            return;
        }
        try
        {
            var adopted = await catalogue.AdoptPrimaryQueuesAsync(cancellationToken);
            if (adopted > 0)
            {
                Adopted(logger, adopted);
            }
            await pools.ReloadAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) && !options.Value.MigrateOnStart)
        {
            // Without migrations at start the primary database may be away for now; the pool watcher keeps trying, and
            // no queue is placed before the pool list has been read.
            CatalogUnavailable(logger, ex);
            return;
        }
        await schema.MigratePendingAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Database schema is up to date", EventName = "Migrated")]
    private static partial void Migrated(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Registered {Count} queues of the primary database in the catalogue", EventName = "QueuesAdopted")]
    private static partial void Adopted(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Warning, "The catalog could not be read at start; pools are loaded when it answers", EventName = "CatalogUnavailable")]
    private static partial void CatalogUnavailable(ILogger logger, Exception exception);
}
