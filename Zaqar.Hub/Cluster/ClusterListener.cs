using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Zaqar.Data.Cluster;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// Keeps this node's LISTEN connections (issue #4): one per database that holds queues (the primary one and each pool,
/// issue #6; pools added or removed at runtime gain or lose theirs at once). Each is a connection of its own, reopened
/// with exponential backoff when PostgreSQL restarts or the network fails, and checked while idle. Announcements of
/// other nodes go to the <see cref="ClusterFeed"/>; this node's own are ignored (its posts were pushed locally already).
/// After every (re)connect the feed polls at once, since notifications sent while no connection listened are lost.
/// </summary>
/// <remarks>
/// Singleton hosted service. Each database's listener runs on a thread of its own and waits with Npgsql's synchronous
/// API (issue 14 item 4): an awaited wait resumed through the thread pool's queue, thousands of work items long under a
/// fan-out's load, so a notification sat there before the feed even heard of it. The wait is bounded
/// (<see cref="StopCheck"/>) so that a stop is seen soon: a synchronous wait can't be canceled.
/// </remarks>
public sealed class ClusterListener(
    ClusterStore store, PoolRegistry pools, ClusterFeed feed, ClusterNode node, IEnumerable<IClusterSignal> signals,
    IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterListener> logger)
    : BackgroundService
{
    /// <summary>How long a listener thread blocks in one wait: the most a stop (or a retired pool) waits for it.</summary>
    private static readonly TimeSpan StopCheck = TimeSpan.FromMilliseconds(250);

    private readonly ClusterOptions _options = options.Value;
    private readonly IClusterSignal[] _signals = signals.ToArray();
    private readonly ConcurrentDictionary<PoolTarget, bool> _connected = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        // Start the host without waiting for the database.
        await Task.Yield();
        var loops = new Dictionary<PoolTarget, (CancellationTokenSource Stop, Task Loop)>();
        pools.Changed += OnPoolsChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = Volatile.Read(ref _changed);
                var targets = pools.Targets;
                foreach (var target in targets.Where(t => !loops.ContainsKey(t)))
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    loops[target] = (stop, Task.Factory.StartNew(
                        () => Listen(target, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
                foreach (var (target, loop) in loops.Where(l => !targets.Contains(l.Key)).ToList())
                {
                    await loop.Stop.CancelAsync();
                    await loop.Loop;
                    loop.Stop.Dispose();
                    loops.Remove(target);
                    ClusterLog.ListenerRetired(logger, target.Label);
                }
                await changed.Task.WaitAsync(stoppingToken);
                Interlocked.CompareExchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously), changed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            pools.Changed -= OnPoolsChanged;
            await Task.WhenAll(loops.Values.Select(l => l.Loop));
            foreach (var loop in loops.Values)
            {
                loop.Stop.Dispose();
            }
        }
    }

    private void OnPoolsChanged() => Volatile.Read(ref _changed).TrySetResult();

    /// <summary>False when the node runs alone (Cluster:Enabled off): it has no listen connection to check.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Whether the listen connection to <paramref name="target"/> is open now (issue 15: readiness).</summary>
    public bool IsConnected(PoolTarget target) => _connected.GetValueOrDefault(target);

    /// <summary>Listens on one database until stopped, on its own thread (LongRunning): it blocks; never throws.</summary>
    private void Listen(PoolTarget target, CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Name = "zaqar-cluster-listener";
        var keepAlive = TimeSpan.FromSeconds(_options.ListenKeepAliveSeconds);
        var delay = _options.ReconnectMinDelayMilliseconds;
        var attempts = 0;
        long? lostAt = null;
        var connectedOnce = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Connecting is rare (start, reconnects): it may go through the pool while this thread waits.
                using var listener = store.ListenAsync(target, _options.Channel, Received, stoppingToken).GetAwaiter().GetResult();
                if (!connectedOnce)
                {
                    ClusterLog.Listening(logger, node.Id, _options.Channel, target.Label);
                }
                else
                {
                    ClusterLog.Reconnected(logger, target.Label, (long)time.GetElapsedTime(lostAt ?? time.GetTimestamp()).TotalMilliseconds, attempts);
                    // Whatever broke this connection (a restart, a network failure) likely broke the idle pooled ones.
                    store.ClearPool(target);
                }
                connectedOnce = true;
                _connected[target] = true;
                (lostAt, attempts, delay) = (null, 0, _options.ReconnectMinDelayMilliseconds);
                feed.CatchUp();
                var heard = Stopwatch.GetTimestamp();
                while (true)
                {
                    stoppingToken.ThrowIfCancellationRequested();
                    if (listener.Wait(StopCheck))
                    {
                        heard = Stopwatch.GetTimestamp();
                    }
                    else if (Stopwatch.GetElapsedTime(heard) >= keepAlive)
                    {
                        listener.Ping(keepAlive);
                        heard = Stopwatch.GetTimestamp();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever broke the connection (server restart, network, a timeout), the way back is a new one.
                _connected[target] = false;
                attempts++;
                if (lostAt is null)
                {
                    lostAt = time.GetTimestamp();
                    ClusterLog.ListenerLost(logger, target.Label, ex);
                }
                else
                {
                    ClusterLog.ReconnectFailed(logger, target.Label, attempts, delay, ex);
                }
            }
            try
            {
                // Jitter keeps the nodes of a cluster from reconnecting in lockstep after a database restart.
                Task.Delay(TimeSpan.FromMilliseconds(delay * (0.75 + Random.Shared.NextDouble() / 2)), time, stoppingToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = Math.Min(delay * 2, _options.ReconnectMaxDelayMilliseconds);
        }
        // Stopped (the node, or this database's listener): it has no connection to report any more.
        _connected.TryRemove(target, out _);
    }

    /// <summary>Runs on a listener's thread, inside its wait: decode and hand off only.</summary>
    private void Received(string payload)
    {
        if (!Announcements.TryDecode(payload, out var origin, out var announcements))
        {
            if (!_signals.Any(s => s.TryReceive(payload)))
            {
                ClusterLog.ForeignPayload(logger, _options.Channel);
            }
            return;
        }
        if (origin != node.Id)
        {
            feed.Announce(announcements);
        }
    }
}
