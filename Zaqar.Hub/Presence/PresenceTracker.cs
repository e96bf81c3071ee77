using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Presence;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;

namespace Zaqar.Hub.Presence;

/// <summary>
/// Presence (issue 13): which of this node's connections are subscribed to which queues, kept in the primary database for
/// every node to count, with join and leave announced on the cluster's channel to whoever watches (<see cref="Changed"/>).
/// </summary>
/// <remarks>
/// <para>
/// The transports report a connection's first subscription to a queue (<see cref="JoinAsync"/>) and its end
/// (<see cref="Leave"/>); one writer applies what accumulated while the previous write ran in one transaction, so a
/// thousand connections subscribing at once cost a few statements, and a join completes once it is in the database (a
/// count asked for after Subscribe returns includes it).
/// </para>
/// <para>
/// Liveness: every <see cref="PresenceOptions.HeartbeatSeconds"/> the node records that it is alive for its
/// <see cref="PresenceOptions.NodeTimeoutSeconds"/> more, and sweeps the nodes whose time is up, announcing their
/// connections as left. Counts ignore a
/// silent node's rows at once, so a node that dies (kill -9) counts for at most that timeout. The in-memory set is the
/// truth: after a failed write, or when the node finds it was swept (it was cut off from the database for too long), it
/// replaces its rows with that set. A node that stops cleanly removes its rows, announcing them as left.
/// </para>
/// Singleton; thread-safe.
/// </remarks>
public sealed class PresenceTracker : BackgroundService, IClusterSignal
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<(QueueRef Queue, string ConnectionId), string> _members = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly PresenceStore _store;
    private readonly ClusterNode _node;
    private readonly PresenceOptions _options;
    private readonly TimeSpan _timeout;
    private readonly PresenceAnnouncer _announcer;
    private readonly ILogger<PresenceTracker> _logger;
    private Dictionary<(QueueRef Queue, string ConnectionId), PresenceMember?> _pending = [];
    private List<TaskCompletionSource> _waiters = [];
    private bool _resync = true;
    private bool _failing;

    public PresenceTracker(
        PresenceStore store, ClusterNode node, IOptions<PresenceOptions> options, IOptions<ClusterOptions> cluster, ILogger<PresenceTracker> logger)
    {
        (_store, _node, _options, _logger) = (store, node, options.Value, logger);
        _timeout = TimeSpan.FromSeconds(_options.NodeTimeoutSeconds);
        var c = cluster.Value;
        // Without the cluster nobody listens; counts still come from the database.
        _announcer = new PresenceAnnouncer(
            c.Enabled && c.Publish ? c.Channel : null, changes => PresenceSignals.Encode(node.Id, changes, c.MaxPayloadBytes));
    }

    /// <summary>Joins and leaves on any node, once committed: on a writer's or listener's thread, so handlers only hand off.</summary>
    public event Action<IReadOnlyList<PresenceChange>>? Changed;

    /// <summary>
    /// The connection is now subscribed to <paramref name="queue"/>. Completes once that is in the database, or the write
    /// failed (it is then written when the database answers again): presence never fails a subscription.
    /// </summary>
    public Task JoinAsync(QueueRef queue, string connectionId, string clientId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _members[(queue, connectionId)] = clientId;
            _pending[(queue, connectionId)] = new PresenceMember(queue, connectionId, clientId);
            _waiters.Add(done);
        }
        _wake.Writer.TryWrite(true);
        return done.Task;
    }

    /// <summary>The connection is no longer subscribed to <paramref name="queue"/> (or is gone).</summary>
    public void Leave(QueueRef queue, string connectionId)
    {
        lock (_gate)
        {
            if (!_members.Remove((queue, connectionId)))
            {
                return;
            }
            _pending[(queue, connectionId)] = null;
        }
        _wake.Writer.TryWrite(true);
    }

    public bool TryReceive(string payload)
    {
        if (!PresenceSignals.TryDecode(payload, out var origin, out var changes))
        {
            return false;
        }
        if (origin != _node.Id)
        {
            Raise(changes);
        }
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start the host without waiting for the database.
        await Task.Yield();
        var heartbeat = HeartbeatAsync(stoppingToken);
        var delay = TimeSpan.Zero;
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                if (await FlushAsync())
                {
                    delay = TimeSpan.Zero;
                    continue;
                }
                delay = delay == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                await Task.Delay(delay, stoppingToken);
                _wake.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await heartbeat;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The others learn at once that this node's connections left, instead of after the node timeout.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(StopBudget);
        try
        {
            await _store.RemoveNodeAsync(_node.Id, _announcer, budget.Token);
        }
        catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) || ex is OperationCanceledException)
        {
            PresenceLog.LeaveFailed(_logger, ex);
        }
    }

    /// <summary>Writes what is pending; false when the database failed (what was pending is then rewritten whole).</summary>
    /// <remarks>
    /// Not cancelled by stopping: a statement cut short inside its transaction gains nothing (the node removes its rows
    /// next) and breaks the connection under the transaction. Each statement is short and bounded by the command timeout.
    /// </remarks>
    private async Task<bool> FlushAsync()
    {
        var ct = CancellationToken.None;
        Dictionary<(QueueRef, string), PresenceMember?> pending;
        List<TaskCompletionSource> waiters;
        bool resync;
        lock (_gate)
        {
            (pending, _pending) = (_pending, []);
            (waiters, _waiters) = (_waiters, []);
            (resync, _resync) = (_resync, false);
        }
        try
        {
            IReadOnlyList<PresenceChange>? changes = null;
            if (!resync)
            {
                var joins = pending.Values.OfType<PresenceMember>().ToList();
                var leaves = pending.Where(p => p.Value is null).Select(p => new PresenceMember(p.Key.Item1, p.Key.Item2, string.Empty)).ToList();
                changes = await _store.ApplyAsync(_node.Id, _timeout, joins, leaves, _announcer, ct);
            }
            if (changes is null)
            {
                // The node was swept as dead (or this is its first write): its whole set, so the others count it again.
                List<PresenceMember> everything;
                lock (_gate)
                {
                    everything = _members.Select(m => new PresenceMember(m.Key.Queue, m.Key.ConnectionId, m.Value)).ToList();
                    _pending.Clear();
                }
                changes = await _store.ReplaceAsync(_node.Id, _timeout, everything, _announcer, ct);
            }
            if (_failing)
            {
                _failing = false;
                PresenceLog.Restored(_logger);
            }
            Raise(changes);
            return true;
        }
        catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) || ex is OperationCanceledException)
        {
            lock (_gate)
            {
                _resync = true;
            }
            if (!_failing)
            {
                _failing = true;
                PresenceLog.WriteFailed(_logger, ex);
            }
            return false;
        }
        finally
        {
            foreach (var waiter in waiters)
            {
                waiter.TrySetResult();
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        // Real time, whatever clock the service runs on: liveness is judged on the database's clock.
        var period = TimeSpan.FromSeconds(_options.HeartbeatSeconds);
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Not cancelled by stopping either (see FlushAsync).
                if (!await _store.TouchAsync(_node.Id, _timeout, CancellationToken.None))
                {
                    lock (_gate)
                    {
                        _resync = true;
                    }
                    _wake.Writer.TryWrite(true);
                }
                Raise(await _store.SweepAsync(_announcer, CancellationToken.None));
                failing = false;
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (!failing)
                {
                    failing = true;
                    PresenceLog.HeartbeatFailed(_logger, ex);
                }
            }
            try
            {
                await Task.Delay(period, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Raise(IReadOnlyList<PresenceChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        try
        {
            Changed?.Invoke(changes);
        }
        catch (Exception ex)
        {
            // A watcher's failure must not stop presence.
            PresenceLog.HandlerFailed(_logger, ex);
        }
    }
}
