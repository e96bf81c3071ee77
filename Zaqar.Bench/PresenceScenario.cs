using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Hub.Api;

namespace Zaqar.Bench;

/// <summary>The presence figures (issue 13): how fast joins and leaves reach a watcher on the other node, and what a count costs.</summary>
internal sealed record PresenceResult(
    int Subscribers, double SubscribesPerSecond, double JoinP50Ms, double JoinP99Ms, double CountP50Ms, double CountP99Ms,
    double AllLeftMs, int CountedAtPeak)
{
    public override string ToString() =>
        $"presence, {Subscribers} subscribers on node 2, a watcher on node 1: {SubscribesPerSecond:N0} subscribes/s (waves of 50); " +
        $"join seen by the watcher after the Subscribe call p50 {JoinP50Ms:N1} ms, p99 {JoinP99Ms:N1} ms; " +
        $"GetPresence with {CountedAtPeak} connections and their clients p50 {CountP50Ms:N2} ms, p99 {CountP99Ms:N2} ms; " +
        $"all {Subscribers} leaves seen {AllLeftMs:N0} ms after the disconnects began";
}

/// <summary>
/// Issue 13's presence across two nodes: subscribers connect to the second node in waves, a watcher on the first
/// receives their joins (through the primary database and NOTIFY), GetPresence is timed at the peak, then every
/// subscriber disconnects and the watcher's leaves are counted.
/// </summary>
internal static class PresenceScenario
{
    public static async Task<PresenceResult> RunAsync(BenchHost host, int subscribers, HubWireProtocol protocol)
    {
        var second = await host.AddNodeAsync();
        var project = "bench-presence-" + Guid.NewGuid().ToString("N")[..8];
        var started = new ConcurrentDictionary<string, long>();
        var joinLatencies = new ConcurrentBag<double>();
        var leaves = 0;
        var allLeft = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = new List<HubConnection>();
        await using var watcher = await BenchHubs.ConnectAsync(Hub(host.BaseAddress, project, Guid.NewGuid()), protocol);
        watcher.On<string, PresenceEventView[]>("Presence", (_, changes) =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var change in changes)
            {
                if (change.Event == PresenceEventView.Join && change.ClientId is { } id && started.TryGetValue(id, out var at))
                {
                    joinLatencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
                else if (change.Event == PresenceEventView.Leave && Interlocked.Increment(ref leaves) == subscribers)
                {
                    allLeft.TrySetResult();
                }
            }
        });
        await watcher.InvokeAsync<PresenceView>("SubscribePresence", "lobby");
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < subscribers; i += 50)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(i, Math.Min(50, subscribers - i)).Select(async _ =>
                {
                    var clientId = Guid.NewGuid();
                    var client = await BenchHubs.ConnectAsync(Hub(second, project, clientId), protocol);
                    started[clientId.ToString()] = Stopwatch.GetTimestamp();
                    await client.InvokeAsync("Subscribe", "lobby");
                    return client;
                })));
            }
            var subscribing = clock.Elapsed;
            // Joins still on their way are waited for (bounded), so the latencies cover every subscriber.
            var deadline = Stopwatch.StartNew();
            while (joinLatencies.Count < subscribers && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            var counts = new List<double>();
            var peak = 0;
            for (var i = 0; i < 200; i++)
            {
                var t = Stopwatch.GetTimestamp();
                peak = (await watcher.InvokeAsync<PresenceView>("GetPresence", "lobby")).Connections;
                counts.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            var leaving = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            clients.Clear();
            await Task.WhenAny(allLeft.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            var left = leaving.Elapsed;

            var joins = joinLatencies.Order().ToList();
            counts.Sort();
            return new PresenceResult(subscribers, subscribers / subscribing.TotalSeconds,
                LoadRunner.Percentile(joins, 0.50), LoadRunner.Percentile(joins, 0.99),
                LoadRunner.Percentile(counts, 0.50), LoadRunner.Percentile(counts, 0.99),
                allLeft.Task.IsCompleted ? left.TotalMilliseconds : double.NaN, peak);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static Uri Hub(Uri node, string project, Guid clientId) => new(node, $"/hubs/queues?project_id={project}&client_id={clientId}");
}
