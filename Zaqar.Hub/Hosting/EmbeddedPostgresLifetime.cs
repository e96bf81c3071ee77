using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// Stops the embedded PostgreSQL when the host stops. Registered before every other hosted service, so it
/// stops after them (hosted services stop in reverse order).
/// </summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await server.DisposeAsync();
}
