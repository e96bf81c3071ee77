using System.Diagnostics;

namespace Zaqar.Bench;

/// <summary>
/// Issue 14 item 7: a long mixed workload on the service in a process of its own (so its memory is its own). Posting
/// (REST and hub, batches of 10, ttl 60 s so expiry happens within the run), claiming 10 + deleting (REST and hub), and
/// subscribers on every queue. First a short closed-loop run of the same mix measures the maximum; then the soak paces
/// posting at half of it (a fixed rate, not closed-loop) and claiming at 80% of that (the rest expires), prints a line
/// per minute, and ends with a verdict per criterion.
/// </summary>
internal static class SoakScenario
{
    public const int Queues = 100, SubscribersPerQueue = 3;

    /// <summary>The share of the posted messages the claimers take; the others expire and are the sweeper's.</summary>
    public const double ClaimShare = 0.8;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1), Timeout = TimeSpan.FromSeconds(60);

    public static async Task<SoakResult> RunAsync(BenchHost host, BenchOptions options)
    {
        await using var service = await ServiceProcess.StartServiceAsync(host.ConnectionString, addresses: 1, Timeout);
        var project = "bench-soak-" + Guid.NewGuid().ToString("N")[..8];
        await using var load = await SoakLoad.StartAsync(new Uri($"http://{service.Endpoints[0]}"), project, Queues, SubscribersPerQueue, options.Connections);
        await using var database = new SoakDatabase(host.ConnectionString);

        Console.WriteLine($"  soak: service pid {service.Id}, {Queues} queues, {Queues * SubscribersPerQueue} subscribers; " +
            $"measuring the mixed maximum ({options.Duration.TotalSeconds:N0} s closed-loop, {options.Connections} workers)");
        var (maxPosted, maxClaimed, failures) = await MaximumAsync(load, options);
        var rate = options.SoakRate ?? Math.Round(maxPosted / 2 / 10) * 10;
        Console.WriteLine($"  soak: maximum {maxPosted:N0} msg/s posted with {maxClaimed:N0} claimed ({failures}); soaking at {rate:N0} msg/s posted, " +
            $"{rate * ClaimShare:N0} claimed, for {options.SoakMinutes} min");

        var minutes = new List<SoakMinute>();
        var afterWarmUp = default(ProcessMemory);
        var started = Stopwatch.StartNew();
        var window = load.Window = new SoakWindow();
        var paced = load.RunPacedAsync(rate, rate * ClaimShare, TimeSpan.FromMinutes(options.SoakMinutes));
        for (var minute = 1; minute <= options.SoakMinutes; minute++)
        {
            var wait = minute * Minute - started.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var closed = window;
            var windowStart = minute == 1 ? TimeSpan.Zero : (minute - 1) * Minute;
            window = load.Window = new SoakWindow();
            var line = closed.Close(minute, started.Elapsed - windowStart, ServiceProcess.ResidentBytes(service.Id), await database.SampleAsync(CancellationToken.None));
            minutes.Add(line);
            Console.WriteLine(line);
            if (minute == 1)
            {
                // The service's steady state: JIT tiers, pools, per-queue state all made (a full GC pause lands in minute 2).
                afterWarmUp = await service.MeasureAfterFullGcAsync(Timeout);
                Console.WriteLine($"  soak: after minute 1, service heap after a full GC {DatabaseSample.Mb(afterWarmUp.HeapBytes)}, RSS {DatabaseSample.Mb(afterWarmUp.RssBytes)}");
            }
        }
        load.Window = new SoakWindow(); // What completes after the last minute counts nowhere.
        await paced;
        var atEnd = await service.MeasureAfterFullGcAsync(Timeout);
        Console.WriteLine($"  soak: at the end, service heap after a full GC {DatabaseSample.Mb(atEnd.HeapBytes)}, RSS {DatabaseSample.Mb(atEnd.RssBytes)}");
        return new SoakResult(maxPosted, maxClaimed, rate, Queues, Queues * SubscribersPerQueue, minutes, afterWarmUp, atEnd);
    }

    /// <summary>
    /// The same mix closed-loop: a quarter of the workers each posting over REST and over the hub, a quarter each claiming
    /// over REST and over the hub, after an unmeasured warm-up. Returns posted and claimed messages per second.
    /// </summary>
    private static async Task<(double Posted, double Claimed, string Failures)> MaximumAsync(SoakLoad load, BenchOptions options)
    {
        await ClosedLoopAsync(LoadRunner.Warmup);
        var window = load.Window = new SoakWindow();
        var measured = Stopwatch.StartNew();
        await ClosedLoopAsync(options.Duration);
        var seconds = measured.Elapsed.TotalSeconds;
        return (window.Posted / seconds, window.Claimed / seconds, window.Failures);

        Task ClosedLoopAsync(TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            return Task.WhenAll(Enumerable.Range(0, options.Connections).Select(worker => Task.Run(async () =>
            {
                for (long i = worker; clock.Elapsed < duration; i += options.Connections)
                {
                    await load.OperationAsync((SoakOperation)(worker % 4), i);
                }
            })));
        }
    }
}
