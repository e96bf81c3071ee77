using Microsoft.Extensions.Options;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hosting;

namespace Zaqar.Hub.Background;

/// <summary>
/// Deletes expired messages and claims in bounded batches. Reads never depend on it (every query filters on
/// expiry with the same clock), so a slow or stopped sweeper costs space, never correctness.
/// </summary>
internal sealed partial class ExpirySweeper(
    ExpiryStore store, TimeProvider time, IOptions<StorageOptions> options, ILogger<ExpirySweeper> logger) : BackgroundService
{
    /// <summary>Sweeps until a batch comes back short; returns the rows deleted. Public for tests.</summary>
    public async Task<(int Messages, int Claims)> SweepOnceAsync(CancellationToken ct)
    {
        var batch = options.Value.SweepBatchSize;
        int messages = 0, claims = 0;
        while (true)
        {
            var (m, c) = await store.SweepAsync(time.GetUtcNow().UtcDateTime, batch, ct);
            messages += m;
            claims += c;
            if (m < batch && c < batch)
            {
                return (messages, claims);
            }
        }
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
            try
            {
                var (messages, claims) = await SweepOnceAsync(stoppingToken);
                if (messages + claims > 0)
                {
                    Swept(logger, messages, claims);
                }
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                SweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(1, LogLevel.Debug, "Swept {Messages} expired messages and {Claims} expired claims", EventName = "Swept")]
    private static partial void Swept(ILogger logger, int messages, int claims);

    [LoggerMessage(2, LogLevel.Warning, "Expiry sweep failed; retrying at the next interval", EventName = "SweepFailed")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
