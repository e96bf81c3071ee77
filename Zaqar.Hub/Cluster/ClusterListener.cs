using Microsoft.Extensions.Options;
using Zaqar.Data.Cluster;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// Keeps this node's LISTEN connection (issue #4): a connection of its own, reopened with exponential backoff when
/// PostgreSQL restarts or the network fails, and checked while idle. Announcements of other nodes go to the
/// <see cref="ClusterFeed"/>; this node's own are ignored (its posts were pushed locally already). After every
/// (re)connect the feed polls at once, since notifications sent while no connection listened are lost.
/// </summary>
/// <remarks>Singleton hosted service.</remarks>
public sealed class ClusterListener(
    ClusterStore store, ClusterFeed feed, ClusterNode node, IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterListener> logger)
    : BackgroundService
{
    private readonly ClusterOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        // Start the host without waiting for the database.
        await Task.Yield();
        var keepAlive = TimeSpan.FromSeconds(_options.ListenKeepAliveSeconds);
        var delay = _options.ReconnectMinDelayMilliseconds;
        var attempts = 0;
        long? lostAt = null;
        var connectedOnce = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await store.ListenAsync(_options.Channel, Received, stoppingToken);
                if (!connectedOnce)
                {
                    ClusterLog.Listening(logger, node.Id, _options.Channel);
                }
                else
                {
                    ClusterLog.Reconnected(logger, (long)time.GetElapsedTime(lostAt ?? time.GetTimestamp()).TotalMilliseconds, attempts);
                    // Whatever broke this connection (a restart, a network failure) likely broke the idle pooled ones.
                    store.ClearPool();
                }
                connectedOnce = true;
                (lostAt, attempts, delay) = (null, 0, _options.ReconnectMinDelayMilliseconds);
                feed.CatchUp();
                while (true)
                {
                    if (!await listener.WaitAsync(keepAlive, stoppingToken))
                    {
                        await listener.PingAsync(keepAlive, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever broke the connection (server restart, network, a timeout), the way back is a new one.
                attempts++;
                if (lostAt is null)
                {
                    lostAt = time.GetTimestamp();
                    ClusterLog.ListenerLost(logger, ex);
                }
                else
                {
                    ClusterLog.ReconnectFailed(logger, attempts, delay, ex);
                }
            }
            // Jitter keeps the nodes of a cluster from reconnecting in lockstep after a database restart.
            await Task.Delay(TimeSpan.FromMilliseconds(delay * (0.75 + Random.Shared.NextDouble() / 2)), time, stoppingToken);
            delay = Math.Min(delay * 2, _options.ReconnectMaxDelayMilliseconds);
        }
    }

    /// <summary>Runs on the listener's thread, inside its wait: decode and hand off only.</summary>
    private void Received(string payload)
    {
        if (!Announcements.TryDecode(payload, out var origin, out var announcements))
        {
            ClusterLog.ForeignPayload(logger, _options.Channel);
            return;
        }
        if (origin != node.Id)
        {
            feed.Announce(announcements);
        }
    }
}
