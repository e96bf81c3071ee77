using Microsoft.Extensions.Options;
using Zaqar.Data.Cluster;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Pools;

/// <summary>
/// Keeps this node's view of the catalog current (issue #6). It LISTENs on <see cref="PoolingOptions.Channel"/> of the
/// primary database: a queue's change drops its cached route at once, a pool or flavor change reloads the pool list (so a
/// pool added on any node is routed to, swept, dispatched and listened on here without a restart). Every
/// <see cref="PoolingOptions.RefreshSeconds"/>, and after every (re)connect (notifications may have been missed), it
/// reloads the pool list, migrates pools not migrated yet and drops routes past their time; the listen connection is
/// reopened with backoff when it fails.
/// </summary>
/// <remarks>Singleton hosted service; runs only with pooling on.</remarks>
public sealed partial class PoolWatcher(
    ClusterStore listen, PoolRegistry pools, QueueRouter router, PoolSchema schema, IOptions<PoolingOptions> options, TimeProvider time,
    ILogger<PoolWatcher> logger) : BackgroundService
{
    private const int MinRetryMilliseconds = 250;

    private readonly PoolingOptions _options = options.Value;
    private int _reload;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        await Task.Yield();
        var refresh = TimeSpan.FromSeconds(_options.RefreshSeconds);
        var retry = MinRetryMilliseconds;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await listen.ListenAsync(pools.Primary, _options.Channel, Received, stoppingToken);
                // Changes made while nobody listened are unknown: start from the catalog itself.
                router.ForgetAll();
                await RefreshAsync(stoppingToken);
                retry = MinRetryMilliseconds;
                var next = time.GetUtcNow() + refresh;
                while (true)
                {
                    var wait = next - time.GetUtcNow();
                    if (wait > TimeSpan.Zero && !await listener.WaitAsync(wait, stoppingToken))
                    {
                        // Idle for a whole interval: make sure the connection is still there.
                        await listener.PingAsync(TimeSpan.FromSeconds(5), stoppingToken);
                    }
                    if (Interlocked.Exchange(ref _reload, 0) == 1)
                    {
                        await pools.ReloadAsync(stoppingToken);
                    }
                    if (time.GetUtcNow() >= next)
                    {
                        await RefreshAsync(stoppingToken);
                        next = time.GetUtcNow() + refresh;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The primary database is away (or the listen connection broke): routes cached now may miss changes,
                // so they are dropped again on reconnect; until then they expire by their time as usual.
                WatchFailed(logger, retry, ex);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(retry), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            retry = (int)Math.Min(retry * 2L, _options.RefreshSeconds * 1000L);
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await pools.ReloadAsync(ct);
        await schema.MigratePendingAsync(ct);
        router.Prune();
    }

    /// <summary>Runs on the listener's thread, inside its wait: hand off only.</summary>
    private void Received(string payload)
    {
        if (!CatalogChanges.TryDecode(payload, out var queue))
        {
            return;
        }
        if (queue is { } q)
        {
            router.Forget(q);
        }
        else
        {
            Interlocked.Exchange(ref _reload, 1);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Watching the catalog failed; trying again in {DelayMs} ms", EventName = "CatalogWatchFailed")]
    private static partial void WatchFailed(ILogger logger, int delayMs, Exception exception);
}
