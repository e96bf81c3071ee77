using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Telemetry;

/// <summary>
/// The sampled gauges of issue 15: queue depth and oldest message age for a few queues, and each database's health (1
/// up, 0 down). A scrape reads the last sample; sampling runs on a timer, so no scrape ever scans anything.
/// </summary>
/// <remarks>
/// Which queues: those posted to most on this node since the last sample (counted per post, not per message, in a map
/// bounded at <see cref="MaxTracked"/> queues), plus those reported last time while they still hold messages, at most
/// <see cref="TelemetryOptions.SampledQueues"/> each. Each is counted along its primary key up to
/// <see cref="TelemetryOptions.SampledDepthLimit"/> messages (issue 14: exact counts of a bench run's queues of a million
/// messages, every interval, each a parallel scan, took the two cores from the fan-out measured after them), so a sample
/// costs at most twice that many bounded statements plus one ping per database.
/// Queue names and project ids appear on the gauges only with <see cref="TelemetryOptions.PerQueueGauges"/>. Singleton; thread-safe.
/// </remarks>
public sealed partial class QueueSampler : BackgroundService, IMessageObserver
{
    /// <summary>At most this many distinct queues are counted between two samples; posts to others wait for the next round.</summary>
    public const int MaxTracked = 10_000;

    private readonly QueueStore _queues;
    private readonly PoolRegistry _pools;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueSampler> _logger;
    private ConcurrentDictionary<QueueRef, StrongBox<long>> _posted = new();
    private int _tracked;
    private volatile Sample _last = new([], []);

    public QueueSampler(
        QueueStore queues, PoolRegistry pools, IOptions<TelemetryOptions> options, TimeProvider time, IMeterFactory meters,
        ILogger<QueueSampler> logger)
    {
        _queues = queues;
        _pools = pools;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // A meter of this host (the static one is shared by every host in the process): its gauges end with the host.
        var meter = meters.Create(ZaqarTelemetry.Name);
        meter.CreateObservableGauge("zaqar.queue.depth", () => Measure<long>(q => q.Depth), "{message}",
            "Messages in the queue (claimed and delayed included): per sampled queue, or the deepest one's.");
        meter.CreateObservableGauge("zaqar.queue.oldest_message.age", () => Measure<double>(q => q.OldestAge), "s",
            "Age of the queue's oldest message: per sampled queue that holds any, or the oldest of them.");
        meter.CreateObservableGauge("zaqar.database.up", () => _last.Databases.Select(d =>
            new Measurement<int>(d.Up ? 1 : 0, KeyValuePair.Create(ZaqarTelemetry.DatabaseAttribute, (object?)d.Label))), "1",
            "1 when the database (the primary one, or a pool by name) answered the last sample, else 0.");
    }

    private sealed record SampledQueue(QueueRef Queue, long Depth, double? OldestAge);

    private sealed record Sample(IReadOnlyList<SampledQueue> Queues, IReadOnlyList<(string Label, bool Up)> Databases);

    public void Posted(PostedMessages posted)
    {
        var map = Volatile.Read(ref _posted);
        if (map.TryGetValue(posted.Queue, out var count))
        {
            Interlocked.Increment(ref count.Value);
        }
        else if (Interlocked.Increment(ref _tracked) <= MaxTracked)
        {
            Interlocked.Increment(ref map.GetOrAdd(posted.Queue, static _ => new StrongBox<long>()).Value);
        }
    }

    /// <summary>Takes one sample now (the timer's work; public for tests).</summary>
    public async Task SampleAsync(CancellationToken ct)
    {
        var posted = Interlocked.Exchange(ref _posted, new ConcurrentDictionary<QueueRef, StrongBox<long>>());
        Volatile.Write(ref _tracked, 0);
        var limit = _options.SampledQueues;
        var busiest = posted.OrderByDescending(p => Volatile.Read(ref p.Value.Value)).Take(limit).Select(p => p.Key);
        var candidates = busiest.Concat(_last.Queues.Where(q => q.Depth > 0).Take(limit).Select(q => q.Queue)).Distinct().ToList();
        var now = _time.GetUtcNow().UtcDateTime;
        var queues = new List<SampledQueue>(candidates.Count);
        foreach (var queue in candidates)
        {
            try
            {
                var (live, oldestMessage) = await _queues.CountMessagesUpToAsync(queue, now, _options.SampledDepthLimit, ct);
                queues.Add(new SampledQueue(queue, live, oldestMessage is { } oldest ? Math.Max(0, (now - oldest.CreatedAt).TotalSeconds) : null));
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                // The queue's database is down: the database gauge says so; the queue is left out of this sample.
                QueueSampleFailed(_logger, queue.Name, ex.GetType().Name);
            }
        }
        var databases = new List<(string, bool)>();
        foreach (var target in _pools.Targets)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            bool up;
            try
            {
                up = await ZaqarDatabase.PingAsync(target, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                up = false;
            }
            databases.Add((target.Label, up));
        }
        _last = new Sample(queues.OrderByDescending(q => q.Depth).Take(limit).ToList(), databases);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start the host without waiting for the database.
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.SampleIntervalSeconds), _time);
        try
        {
            do
            {
                await SampleAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Per queue (with its name and project) when <see cref="TelemetryOptions.PerQueueGauges"/>, else the largest value alone.</summary>
    private IEnumerable<Measurement<T>> Measure<T>(Func<SampledQueue, T?> value) where T : struct, IComparable<T>
    {
        var sampled = _last.Queues.Where(q => value(q) is not null);
        if (!_options.PerQueueGauges)
        {
            return sampled.Select(q => value(q)!.Value).Order().TakeLast(1).Select(max => new Measurement<T>(max));
        }
        return sampled.Select(q => new Measurement<T>(
            value(q)!.Value, KeyValuePair.Create(ZaqarTelemetry.ProjectAttribute, (object?)q.Queue.Project),
            KeyValuePair.Create(ZaqarTelemetry.DestinationAttribute, (object?)q.Queue.Name)));
    }

    [LoggerMessage(1, LogLevel.Debug, "Sampling queue {Queue} for the telemetry gauges failed: {Cause}", EventName = "QueueSampleFailed")]
    private static partial void QueueSampleFailed(ILogger logger, string queue, string cause);
}
