using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// What a stopping node does beyond ASP.NET Core's own stop (issue 15). Kestrel stops accepting connections and waits
/// for the requests in flight (for <see cref="ShutdownOptions.DrainSeconds"/>, the host's shutdown timeout); SignalR
/// closes its connections as the node begins to stop, and clients with automatic reconnect reach another node; first,
/// this lets the hub invocations under way send their answers (<see cref="InFlightHubCalls"/>). It then waits for the
/// consume streams to release their claims while the database is still there, and says what was done.
/// Registered after the database's services, so it stops before them (hosted services stop in reverse order).
/// </summary>
internal sealed class GracefulShutdown(
    ConsumerService consumers, TrackingHubLifetimeManager hubConnections, InFlightHubCalls hubCalls, IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options, ILogger<GracefulShutdown> logger) : IHostedService
{
    /// <summary>Hub invocations are short; one that runs longer than this is left to fail with its connection.</summary>
    private const double MaxHubCallWaitSeconds = 10;

    private static readonly TimeSpan AnswerWriteGrace = TimeSpan.FromMilliseconds(250);

    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after SignalR's connection manager (made when the hub was mapped) and so run before its close of
        // every connection (a token runs its callbacks latest first): connections are counted before the list empties,
        // and the invocations under way answer before their connection goes. Bounded, as the host's stop waits on it.
        _stopping = lifetime.ApplicationStopping.Register(() =>
        {
            ShutdownLog.Started(logger, options.Value.DrainSeconds, hubConnections.Count);
            var before = hubCalls.Count;
            if (before > 0)
            {
                var left = hubCalls.WaitIdle(TimeSpan.FromSeconds(Math.Min(options.Value.DrainSeconds, MaxHubCallWaitSeconds)));
                // A call counts as done when its method returns; SignalR writes its answer just after. A moment for those
                // writes, as nothing tells when they are out.
                Thread.Sleep(AnswerWriteGrace);
                ShutdownLog.HubCallsAnswered(logger, before, left);
            }
        });
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
