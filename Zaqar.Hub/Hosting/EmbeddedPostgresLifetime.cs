using Npgsql;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// Runs the embedded PostgreSQL's supervisor while the host runs (issue 10), and stops the server when the host stops.
/// Registered before every other hosted service, so it stops after them (hosted services stop in reverse order).
/// </summary>
internal sealed class EmbeddedPostgresLifetime(
    EmbeddedPostgres server, EmbeddedPostgresSupervisor supervisor, EmbeddedPostgresOptions options, NpgsqlDataSource dataSource)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Supervise)
        {
            return Task.CompletedTask;
        }
        // The pooled connections died with the server: drop them, so requests after a restart don't fail on them one by one.
        supervisor.Restarted += dataSource.Clear;
        return supervisor.RunAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await server.DisposeAsync();
    }
}
