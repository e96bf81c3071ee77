using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hosting;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Background;

/// <summary>
/// Delivers the notification outbox (issue #4): leases due rows (<c>FOR UPDATE SKIP LOCKED</c>, so dispatchers on
/// several nodes share the work), POSTs webhooks or sends emails, and settles each row: delivered, retried after
/// the retry policy's delay (zaqar-v2-api.md 5.3), or given up and recorded on its subscription. Everything
/// pending lives in the outbox, so a restart loses nothing; a dispatcher that dies mid-delivery leaves its rows to
/// come due when their lease lapses (at-least-once). A node that stops (issue 15) leases nothing more, lets the deliveries
/// in flight finish within <see cref="ShutdownOptions.DeliveryDrain"/>, and releases the rest, so another node sends them at
/// once rather than when their lease lapses. Also deletes expired subscriptions now and then.
/// The outbox lives with the messages, so with pools (issue #6) each database has one: every look goes through all of
/// them (the registry's current list, so a pool added at runtime is served at once), starting with a different one each
/// time so a busy database can't starve the others, and each row is settled where it came from. A database that is down
/// is skipped until it answers.
/// </summary>
/// <remarks>
/// Due times and leases read the injected <see cref="TimeProvider"/> (the clock every expiry decision uses); the
/// idle wait between looks is real time, because it only decides when to look, never what is due. Local posts and
/// subscription changes wake it at once. Singleton.
/// </remarks>
internal sealed class NotificationDispatcher : BackgroundService, IMessageObserver
{
    private const int MaxErrorLength = 1000;

    /// <summary>Wakes closer together than this are merged, so a stream of posts to queues without subscribers costs few looks.</summary>
    private static readonly TimeSpan WakeGap = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a database whose outbox could not be read is skipped.</summary>
    private static readonly TimeSpan FailedDatabasePause = TimeSpan.FromSeconds(5);

    private readonly NotificationStore _store;
    private readonly SubscriptionStore _subscriptions;
    private readonly PoolRegistry _pools;
    private readonly NotificationContent _content;
    private readonly WebhookSender _webhooks;
    private readonly MailSender _mail;
    private readonly TimeProvider _time;
    private readonly IOptions<NotificationOptions> _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeSpan _drain;
    private readonly ILogger<NotificationDispatcher> _logger;
    // Keyed by database too: outbox row ids are per database.
    private readonly ConcurrentDictionary<(PoolTarget, long), Task> _inFlight = new();
    private readonly CancellationTokenSource _deliveries = new();
    // Touched by the claiming loop only.
    private readonly Dictionary<PoolTarget, long> _paused = [];
    private TaskCompletionSource _wake = NewWake();
    private int _rotation;
    // Deliveries settled, and released, after the node began stopping (issue 15).
    private int _settledWhileStopping;
    private int _releasedWhileStopping;

    public NotificationDispatcher(
        NotificationStore store, SubscriptionStore subscriptions, PoolRegistry pools, NotificationContent content, WebhookSender webhooks,
        MailSender mail, SubscriptionEvents events, TimeProvider time, IOptions<NotificationOptions> options,
        IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> shutdown, ILogger<NotificationDispatcher> logger)
    {
        (_store, _subscriptions, _pools, _content, _webhooks, _mail) = (store, subscriptions, pools, content, webhooks, mail);
        (_time, _options, _lifetime, _drain, _logger) = (time, options, lifetime, shutdown.Value.DeliveryDrain, logger);
        events.OutboxWritten += Wake;
    }

    public void Posted(PostedMessages posted) => Wake();

    /// <summary>Makes an idle dispatcher look for due notifications now.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = _options.Value;
        if (!o.DispatcherEnabled)
        {
            return;
        }
        // Not disposed: deliveries still running after a stop release their slot later.
        var slots = new SemaphoreSlim(o.MaxConcurrentDeliveries);
        var nextSweep = 0L;
        // Issue 15: leasing stops as soon as the node begins to stop, not when this service's turn to stop comes.
        using var leasing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _lifetime.ApplicationStopping);
        var ct = leasing.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (Environment.TickCount64 >= nextSweep)
                {
                    await SweepAsync(ct);
                    nextSweep = Environment.TickCount64 + (o.SweepIntervalSeconds * 1000L);
                }
                await slots.WaitAsync(ct);
                var free = 1;
                while (free < o.BatchSize && slots.Wait(0, ct))
                {
                    free++;
                }
                // Taken before looking: a wake that comes while we look is not lost.
                var wake = Volatile.Read(ref _wake);
                var claimed = await ClaimAsync(free, ct);
                if (free > claimed.Count)
                {
                    slots.Release(free - claimed.Count);
                }
                if (claimed.Count > 0)
                {
                    foreach (var (notification, lease) in claimed)
                    {
                        // Registered before it starts, so its end always finds (and removes) its entry.
                        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        _inFlight[(notification.Pool, notification.Id)] = done.Task;
                        _ = RunAsync(notification, lease, slots, done);
                    }
                    continue;
                }
                await IdleAsync(wake, TimeSpan.FromSeconds(o.PollIntervalSeconds), ct);
                Interlocked.CompareExchange(ref _wake, NewWake(), wake);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        await DrainAsync();
    }

    /// <summary>
    /// Lets the deliveries in flight finish within the drain; those that do not are cancelled and their rows released, so
    /// another node (or the next start) sends them at once.
    /// </summary>
    private async Task DrainAsync()
    {
        var inFlight = _inFlight.Count;
        await Task.WhenAll(_inFlight.Values).WaitAsync(_drain, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _deliveries.CancelAsync();
        await Task.WhenAll(_inFlight.Values).WaitAsync(ShutdownOptions.ReleaseAllowance, CancellationToken.None)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        NotificationDispatcherLog.Drained(
            _logger, inFlight, Volatile.Read(ref _settledWhileStopping), Volatile.Read(ref _releasedWhileStopping), _inFlight.Count);
    }

    public override void Dispose()
    {
        _deliveries.Dispose();
        base.Dispose();
    }

    private async Task<List<(ClaimedNotification, Guid)>> ClaimAsync(int limit, CancellationToken ct)
    {
        var lease = Guid.NewGuid();
        var now = Now();
        var targets = _pools.Targets;
        var first = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)targets.Count);
        var claimed = new List<(ClaimedNotification, Guid)>();
        for (var i = 0; i < targets.Count && claimed.Count < limit; i++)
        {
            var target = targets[(first + i) % targets.Count];
            if (_paused.TryGetValue(target, out var until) && Environment.TickCount64 < until)
            {
                continue;
            }
            try
            {
                var rows = await _store.ClaimAsync(target, now, now.AddSeconds(_options.Value.LeaseSeconds), lease, limit - claimed.Count, ct);
                claimed.AddRange(rows.Select(r => (r, lease)));
                _paused.Remove(target);
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                // A database that is away may take a whole connect timeout to say so: leave it alone for a while, so the
                // others' notifications are not held up by it at every look.
                _paused[target] = Environment.TickCount64 + (long)FailedDatabasePause.TotalMilliseconds;
                NotificationDispatcherLog.ClaimFailed(_logger, target.Label, ex);
            }
        }
        return claimed;
    }

    /// <summary>Waits for a wake or the poll interval, whichever comes first.</summary>
    private static async Task IdleAsync(TaskCompletionSource wake, TimeSpan poll, CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = await Task.WhenAny(wake.Task, Task.Delay(poll, idle.Token)) == wake.Task;
        await idle.CancelAsync();
        ct.ThrowIfCancellationRequested();
        if (woken)
        {
            await Task.Delay(WakeGap, ct);
        }
    }

    private async Task RunAsync(ClaimedNotification n, Guid lease, SemaphoreSlim slots, TaskCompletionSource done)
    {
        try
        {
            await DeliverAsync(n, lease);
        }
        finally
        {
            _inFlight.TryRemove((n.Pool, n.Id), out _);
            slots.Release();
            done.TrySetResult();
        }
    }

    private async Task DeliverAsync(ClaimedNotification n, Guid lease)
    {
        await Task.Yield();
        var ct = _deliveries.Token;
        DeliveryResult result;
        try
        {
            result = n.Type switch
            {
                SubscriberType.Webhook => await _webhooks.SendAsync(_content.Webhook(n), ct),
                SubscriberType.Mailto => await _mail.SendAsync(_content.Email(n), ct),
                _ => DeliveryResult.Refused("Hub subscriptions are pushed to their connection, never through the outbox."),
            };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await SettleAsync(n, () => _store.ReleaseAsync(n.Pool, n.Id, lease, Now(), CancellationToken.None));
            Interlocked.Increment(ref _releasedWhileStopping);
            return;
        }
        catch (Exception ex)
        {
            NotificationDispatcherLog.UnexpectedDeliveryError(_logger, n.Id, ex);
            result = DeliveryResult.Retry("Unexpected error: " + ex.Message);
        }
        var now = Now();
        var error = Truncate(result.Error);
        var subscriberType = KeyValuePair.Create(ZaqarTelemetry.SubscriberTypeAttribute, (object?)(n.Type == SubscriberType.Mailto ? "mailto" : "webhook"));
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                ZaqarTelemetry.NotificationsDelivered.Add(1, subscriberType);
                await SettleAsync(n, () => _store.DeliveredAsync(n.Pool, n.Id, lease, now, CancellationToken.None));
                break;
            case DeliveryOutcome.Refused:
                if (!result.Reported)
                {
                    NotificationDispatcherLog.Refused(_logger, n.SubscriptionId, Describe(n), n.Id, error);
                }
                ZaqarTelemetry.NotificationsFailed.Add(1, subscriberType);
                await SettleAsync(n, () => _store.FailedAsync(n.Pool, n.Id, lease, now, error, CancellationToken.None));
                break;
            default:
                var attempts = n.Attempts + 1;
                var queuePolicy = n.QueueRetryPolicy is null ? null : JsonNode.Parse(n.QueueRetryPolicy);
                var policy = RetryPolicy.Effective(QueueMetadata.Parse(n.Options)[QueueMetadata.RetryPolicy], queuePolicy);
                if (policy.DelayAfter(attempts) is { } delay)
                {
                    NotificationDispatcherLog.Retrying(_logger, n.Id, n.SubscriptionId, attempts, delay, error);
                    ZaqarTelemetry.NotificationsRetried.Add(1, subscriberType);
                    await SettleAsync(n, () => _store.RetryAsync(n.Pool, n.Id, lease, attempts, now + delay, error, CancellationToken.None));
                }
                else
                {
                    var final = Truncate($"Gave up after {attempts} attempts. {error}");
                    NotificationDispatcherLog.GaveUp(_logger, n.SubscriptionId, Describe(n), n.Id, attempts, error);
                    ZaqarTelemetry.NotificationsFailed.Add(1, subscriberType);
                    await SettleAsync(n, () => _store.FailedAsync(n.Pool, n.Id, lease, now, final, CancellationToken.None));
                }
                break;
        }
    }

    private async Task SettleAsync(ClaimedNotification n, Func<Task> settle)
    {
        try
        {
            await settle();
            if (_lifetime.ApplicationStopping.IsCancellationRequested && !_deliveries.IsCancellationRequested)
            {
                Interlocked.Increment(ref _settledWhileStopping);
            }
        }
        catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
        {
            NotificationDispatcherLog.SettleFailed(_logger, n.Id, ex);
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        foreach (var target in _pools.Targets)
        {
            try
            {
                var swept = await _subscriptions.SweepExpiredAsync(target, Now(), 1000, ct);
                if (swept > 0)
                {
                    NotificationDispatcherLog.Swept(_logger, swept);
                }
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                NotificationDispatcherLog.SweepFailed(_logger, target.Label, ex);
            }
        }
    }

    private static string Describe(ClaimedNotification n) => $"{n.Source.Project}/{SubscriptionPaths.Resource(n.Source.Kind)}/{n.Source.Name}";

    private static string Truncate(string? error) =>
        error is null ? string.Empty : error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;
}
