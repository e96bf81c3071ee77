using Microsoft.Extensions.Options;
using Zaqar.Data;

namespace Zaqar.Hub.Hosting;

/// <summary>Applies pending migrations at start (hosted services start before the server accepts requests).</summary>
internal sealed partial class DatabaseMigrator(ZaqarDatabase database, IOptions<StorageOptions> options, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await database.MigrateAsync(cancellationToken);
            Migrated(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Database schema is up to date", EventName = "Migrated")]
    private static partial void Migrated(ILogger logger);
}
