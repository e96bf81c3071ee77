using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Telemetry;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>Reads the service's measurements in tests, apart from the other hosts of the run (issue 15).</summary>
internal static class MeterReaders
{
    public const string PrimaryLabel = "(primary)";

    /// <summary>
    /// The observable gauges of <paramref name="factory"/>'s own meters, read now (name, value, and the attributes as
    /// "project/queue" or the database's label, empty without any): other hosts of the run have gauges of the same names.
    /// </summary>
    public static List<(string Name, double Value, string Tags)> Gauges(ZaqarFactory factory)
    {
        var scope = factory.Services.GetRequiredService<IMeterFactory>();
        var read = new List<(string, double, string)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == scope && instrument.Meter.Name == ZaqarTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => read.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => read.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => read.Add((i.Name, v, Tags(tags))));
        listener.Start();
        listener.RecordObservableInstruments();
        return read;
    }

    private static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
        return all.TryGetValue(ZaqarTelemetry.DatabaseAttribute, out var database) ? database!
            : all.Count == 0 ? "" : $"{all[ZaqarTelemetry.ProjectAttribute]}/{all[ZaqarTelemetry.DestinationAttribute]}";
    }
}

/// <summary>
/// The service's counters, as measured inside <see cref="Attribute"/>: the test server keeps the caller's execution
/// context, so only this test's requests count, while other tests run beside it.
/// </summary>
internal sealed class CounterRecorder : IDisposable
{
    private static readonly AsyncLocal<CounterRecorder?> Current = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public CounterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZaqarTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (Current.Value == this)
            {
                _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
            }
        });
        _listener.Start();
    }

    public IDisposable Attribute()
    {
        Current.Value = this;
        return new Scope();
    }

    public long Total(string name) => _totals.GetValueOrDefault(name);

    public void Dispose() => _listener.Dispose();

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Current.Value = null;
    }
}
