using System.Runtime.CompilerServices;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Api;

/// <summary>
/// The live stats stream (issue 15 item 6): a sample now and then one every interval, pushed to the caller until it
/// cancels, so the console draws its charts from the service's own counters (<see cref="MessageRates"/>) and the
/// queue statistics' counts, with no polling by the browser.
/// </summary>
public sealed class StatsService(QueueService queues, MessageRates rates, TimeProvider time)
{
    public const int MaxQueues = 20;
    public const int MinIntervalSeconds = 1;
    public const int MaxIntervalSeconds = 60;
    public const int DefaultIntervalSeconds = 2;

    public async IAsyncEnumerable<StatsSampleView> StreamAsync(
        CallContext caller, IReadOnlyList<string>? queueNames, int? intervalSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        var names = Validate(queueNames, intervalSeconds, out var interval);
        var previous = rates.Read();
        var previousAt = time.GetTimestamp();
        while (true)
        {
            var totals = rates.Read();
            var now = time.GetTimestamp();
            var seconds = time.GetElapsedTime(previousAt, now).TotalSeconds;
            var depths = new List<QueueDepthView>(names.Count);
            foreach (var name in names)
            {
                // As REST's stats: a queue never created counts as empty (Zaqar's queues exist lazily).
                var counts = (await queues.StatsAsync(caller, name, ct)).Messages;
                depths.Add(new QueueDepthView(name, counts.Free, counts.Claimed, counts.Total));
            }
            yield return new StatsSampleView(
                time.GetUtcNow().ToUnixTimeMilliseconds(), Math.Round(seconds, 3),
                caller.IsAdmin ? Rate(previous, totals, seconds) : null, depths);
            previous = totals;
            previousAt = now;
            await Task.Delay(interval, time, ct);
        }
    }

    private static List<string> Validate(IReadOnlyList<string>? queueNames, int? intervalSeconds, out TimeSpan interval)
    {
        var seconds = intervalSeconds ?? DefaultIntervalSeconds;
        if (seconds is < MinIntervalSeconds or > MaxIntervalSeconds)
        {
            throw ApiErrors.InvalidParameter("interval", $"It must be between {MinIntervalSeconds} and {MaxIntervalSeconds} seconds.");
        }
        var names = (queueNames ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count > MaxQueues)
        {
            throw ApiErrors.InvalidParameter("queues", $"At most {MaxQueues} queues can be followed by one stream.");
        }
        interval = TimeSpan.FromSeconds(seconds);
        return names;
    }

    // The first sample covers no time: its rates are zero rather than a division by nothing.
    private static MessageRatesView Rate(MessageTotals from, MessageTotals to, double seconds)
    {
        double PerSecond(long a, long b) => seconds <= 0 ? 0 : Math.Round((b - a) / seconds, 3);
        return new MessageRatesView(
            PerSecond(from.Posted, to.Posted), PerSecond(from.Claimed, to.Claimed), PerSecond(from.Deleted, to.Deleted),
            PerSecond(from.Expired, to.Expired), PerSecond(from.DeadLettered, to.DeadLettered));
    }
}
