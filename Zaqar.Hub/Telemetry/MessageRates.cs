using System.Diagnostics.Metrics;

namespace Zaqar.Hub.Telemetry;

/// <summary>
/// Running totals of the message counters of <see cref="ZaqarTelemetry"/> (posted, claimed, deleted, expired,
/// dead-lettered), read by a <see cref="MeterListener"/> so the console's live charts come from the same measurements as
/// /metrics and OTLP (issue 15 item 6), whether or not an exporter listens. Node-wide: the counters carry no project.
/// </summary>
/// <remarks>
/// The meter is static and shared by every host in a process (the tests), so in a test process the totals are every
/// host's. Singleton; thread-safe; disposing stops listening.
/// </remarks>
public sealed class MessageRates : IDisposable
{
    private static readonly string[] Counted =
    [
        "zaqar.messages.posted", "zaqar.messages.claimed", "zaqar.messages.deleted", "zaqar.messages.expired", "zaqar.messages.dead_lettered",
    ];

    private readonly long[] _totals = new long[Counted.Length];
    private readonly MeterListener _listener = new();

    public MessageRates()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZaqarTelemetry.Name && Array.IndexOf(Counted, instrument.Name) >= 0)
            {
                listener.EnableMeasurementEvents(instrument, Array.IndexOf(Counted, instrument.Name));
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => Interlocked.Add(ref _totals[(int)state!], value));
        _listener.Start();
    }

    /// <summary>The totals since this node started.</summary>
    public MessageTotals Read() => new(
        Interlocked.Read(ref _totals[0]), Interlocked.Read(ref _totals[1]), Interlocked.Read(ref _totals[2]),
        Interlocked.Read(ref _totals[3]), Interlocked.Read(ref _totals[4]));

    public void Dispose() => _listener.Dispose();
}

/// <summary>Messages counted by <see cref="MessageRates"/> since the node started.</summary>
public readonly record struct MessageTotals(long Posted, long Claimed, long Deleted, long Expired, long DeadLettered);
