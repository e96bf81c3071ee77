using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// What a stopping node does beyond ASP.NET Core's own stop (issue 15). Kestrel stops accepting connections and waits
/// for the requests in flight (for <see cref="ShutdownOptions.DrainSeconds"/>, the host's shutdown timeout); SignalR
/// closes its connections as the node begins to stop, and clients with automatic reconnect reach another node. This
/// waits for the consume streams to release their claims while the database is still there, and says what was done.
/// Registered after the database's services, so it stops before them (hosted services stop in reverse order).
/// </summary>
internal sealed class GracefulShutdown(
    ConsumerService consumers, TrackingHubLifetimeManager hubConnections, IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options, ILogger<GracefulShutdown> logger) : IHostedService
{
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Counted as stopping begins, before SignalR's own close empties the list.
        _stopping = lifetime.ApplicationStopping.Register(
            () => ShutdownLog.Started(logger, options.Value.DrainSeconds, hubConnections.Count));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync();
        try
        {
            var report = await consumers.StreamsEndedAsync(cancellationToken);
            ShutdownLog.ConsumeStreamsEnded(logger, report.StreamsEnded, report.ClaimsReleased);
        }
        catch (OperationCanceledException)
        {
            ShutdownLog.ConsumeStreamsLeft(logger);
        }
    }
}
