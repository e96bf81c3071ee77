using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hosting;

namespace Zaqar.Hub.Background;

/// <summary>
/// Deletes expired messages and claims in bounded batches, in every database that holds queues: the primary one and
/// each pool (issue #6), read from the registry each round so a pool added at runtime is swept from its next round.
/// Reads never depend on it (every query filters on expiry with the same clock), so a slow or stopped sweeper costs
/// space, never correctness; a pool that is down is skipped until it answers again.
/// </summary>
internal sealed partial class ExpirySweeper(
    ExpiryStore store, PoolRegistry pools, TimeProvider time, IOptions<StorageOptions> options, ILogger<ExpirySweeper> logger) : BackgroundService
{
    /// <summary>Sweeps every database until a batch comes back short; returns the rows deleted. Public for tests.</summary>
    public async Task<(int Messages, int Claims)> SweepOnceAsync(CancellationToken ct)
    {
        int messages = 0, claims = 0;
        foreach (var target in pools.Targets)
        {
            try
            {
                var (m, c) = await SweepAsync(target, ct);
                messages += m;
                claims += c;
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                SweepFailed(logger, target.Label, ex);
            }
        }
        return (messages, claims);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SweepEnabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds), time);
        do
        {
            var (messages, claims) = await SweepOnceAsync(stoppingToken);
            if (messages + claims > 0)
            {
                Swept(logger, messages, claims);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<(int Messages, int Claims)> SweepAsync(PoolTarget target, CancellationToken ct)
    {
        var batch = options.Value.SweepBatchSize;
        int messages = 0, claims = 0;
        while (true)
        {
            var (m, c) = await store.SweepAsync(target, time.GetUtcNow().UtcDateTime, batch, ct);
            Telemetry.ZaqarTelemetry.MessagesExpired.Add(m);
            messages += m;
            claims += c;
            if (m < batch && c < batch)
            {
                return (messages, claims);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Swept {Messages} expired messages and {Claims} expired claims", EventName = "Swept")]
    private static partial void Swept(ILogger logger, int messages, int claims);

    [LoggerMessage(2, LogLevel.Warning, "Expiry sweep of {Pool} failed; retrying at the next interval", EventName = "SweepFailed")]
    private static partial void SweepFailed(ILogger logger, string pool, Exception exception);
}
