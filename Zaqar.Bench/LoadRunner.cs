using System.Diagnostics;

namespace Zaqar.Bench;

/// <summary>
/// The figures of one scenario. <see cref="AllocatedBytes"/> and <see cref="CpuTime"/> are what the whole process (service
/// and load generator, not PostgreSQL) allocated and spent while it was measured: per message they compare runs of the
/// same scenario, and CPU time per message holds better than msg/s on a machine others share (issue 11).
/// </summary>
internal sealed record ScenarioResult(
    string Name, long Operations, long Messages, TimeSpan Elapsed, double P50Ms, double P99Ms, long AllocatedBytes = 0, TimeSpan CpuTime = default)
{
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

    public double AllocatedPerMessage => Messages == 0 ? double.NaN : (double)AllocatedBytes / Messages;

    public double CpuMicrosecondsPerMessage => Messages == 0 ? double.NaN : CpuTime.TotalMicroseconds / Messages;

    public override string ToString() =>
        $"{Name,-34} {MessagesPerSecond,10:N0} msg/s {Operations / Elapsed.TotalSeconds,9:N0} ops/s   p50 {P50Ms,7:N2} ms   p99 {P99Ms,7:N2} ms   " +
        $"{AllocatedPerMessage,8:N0} B/msg {CpuMicrosecondsPerMessage,7:N0} µs CPU/msg";
}

/// <summary>
/// Runs <c>workers</c> loops concurrently for a bounded time; each iteration is one timed operation that
/// reports how many messages it moved (0 ends that worker: nothing left to do). The same loops run unmeasured for
/// <see cref="Warmup"/> first, so a scenario's figures are of the steady state, whichever scenario runs first (JIT
/// tiers, connection pools, PostgreSQL's caches).
/// </summary>
internal static class LoadRunner
{
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    public static async Task<ScenarioResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, Task<int>> operation)
    {
        await RunLoopsAsync(workers, Warmup, operation);
        using var process = Process.GetCurrentProcess();
        // Precise: under the server GC's dynamic adaptation (DATAS, on by default) the imprecise count stopped moving once
        // the heap count changed, and the later scenarios of a full run printed 0 B/msg.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = process.TotalProcessorTime;
        var stop = Stopwatch.StartNew();
        var (latencies, messages) = await RunLoopsAsync(workers, duration, operation);
        var elapsed = stop.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new ScenarioResult(name, all.Length, messages.Sum(), elapsed, Percentile(all, 0.50), Percentile(all, 0.99), allocated, cpu);
    }

    private static async Task<(List<double>[] Latencies, long[] Messages)> RunLoopsAsync(int workers, TimeSpan duration, Func<int, Task<int>> operation)
    {
        var latencies = new List<double>[workers];
        var messages = new long[workers];
        var stop = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var own = latencies[w] = new List<double>(1 << 14);
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var moved = await operation(w);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (moved == 0)
                {
                    return;
                }
                messages[w] += moved;
            }
        }));
        await Task.WhenAll(tasks);
        return (latencies, messages);
    }

    /// <summary>The <paramref name="p"/> quantile of ascending <paramref name="sorted"/> (nearest rank); NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>
    /// Calls <paramref name="send"/> <paramref name="count"/> times at <paramref name="rate"/> calls/s without waiting
    /// for each, then waits for them all. Sleeps between sends rather than spinning: the load generator shares the
    /// server's cores. (Task.Delay's granularity makes sends come in small bursts; the average rate holds.)
    /// </summary>
    public static async Task PacedAsync(int rate, int count, Func<int, Task> send)
    {
        var interval = Stopwatch.Frequency / rate;
        var next = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            while (Stopwatch.GetTimestamp() < next)
            {
                await Task.Delay(1);
            }
            next += interval;
            inFlight.Add(send(i));
        }
        await Task.WhenAll(inFlight);
    }
}
