using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Zaqar.Hub.Api;
using Zaqar.SignalR.Client;

namespace Zaqar.Bench;

/// <summary>The fan-out figures: how long until the LAST of the subscribers has a message.</summary>
internal sealed record FanOutResult(int Subscribers, int Nodes, int Rate, int Messages, double P50Ms, double P99Ms, double MaxMs, long Missing)
{
    public override string ToString() =>
        $"fan-out to {Subscribers} subscribers on {Nodes} nodes at {Rate} msg/s ({Messages} msgs): last receipt after ack " +
        $"p50 {P50Ms:N1} ms, p99 {P99Ms:N1} ms, max {MaxMs:N1} ms; deliveries missing {Missing}";
}

/// <summary>
/// Issue #4's fan-out: subscribers spread over two service nodes on one database, one poster on the first node
/// paced at a fixed rate; for every message, the time from the post's acknowledgement to the receipt by the last
/// subscriber (pushes to the second node's subscribers cross nodes through LISTEN/NOTIFY).
/// </summary>
internal static class FanOutScenario
{
    public static async Task<FanOutResult> RunAsync(BenchHost host, int subscribers, int rate, TimeSpan duration, HubWireProtocol protocol)
    {
        var second = await host.AddNodeAsync();
        var nodes = new[] { host.BaseAddress, second };
        var project = "bench-fanout-" + Guid.NewGuid().ToString("N")[..8];
        var receipts = new ConcurrentDictionary<string, (int Count, long Last)>();
        var clients = new List<HubWireClient>();
        try
        {
            // Connect in small parallel waves: a thousand handshakes at once only measure the accept queue.
            for (var i = 0; i < subscribers; i += 50)
            {
                var wave = await Task.WhenAll(Enumerable.Range(i, Math.Min(50, subscribers - i)).Select(async n =>
                {
                    var client = new HubWireClient(Hub(nodes[n % nodes.Length], project), Options(protocol));
                    client.On<string, PushedMessageView[]>("Messages", (_, messages) =>
                    {
                        var now = Stopwatch.GetTimestamp();
                        foreach (var m in messages)
                        {
                            receipts.AddOrUpdate(m.Id, (1, now), (_, r) => (r.Count + 1, Math.Max(r.Last, now)));
                        }
                    });
                    await client.StartAsync(CancellationToken.None);
                    await client.InvokeAsync("Subscribe", "broadcast");
                    return client;
                }));
                clients.AddRange(wave);
            }

            await using var poster = await HubWireClient.ConnectAsync(Hub(nodes[0], project), Options(protocol));
            var body = JsonDocument.Parse(Payloads.Body).RootElement.Clone();

            // A short unmeasured warm-up first, so the figures are of the steady state, not of the JIT's first tiers.
            await PostPacedAsync(rate * 2);
            var acks = await PostPacedAsync((int)(rate * duration.TotalSeconds));
            var lastAfterAck = acks.Select(a => receipts.TryGetValue(a.Key, out var r) ? Math.Max(0, Stopwatch.GetElapsedTime(a.Value, r.Last).TotalMilliseconds) : double.NaN)
                .Where(v => !double.IsNaN(v)).Order().ToArray();
            var missing = acks.Keys.Sum(id => subscribers - (receipts.TryGetValue(id, out var r) ? r.Count : 0));
            return new FanOutResult(subscribers, nodes.Length, rate, acks.Count, P(lastAfterAck, 0.5), P(lastAfterAck, 0.99), lastAfterAck.LastOrDefault(), missing);

            // Posts count messages at the rate, then waits (bounded) for every subscriber to have them.
            async Task<ConcurrentDictionary<string, long>> PostPacedAsync(int count)
            {
                var acks = new ConcurrentDictionary<string, long>();
                var interval = Stopwatch.Frequency / rate;
                var next = Stopwatch.GetTimestamp();
                var posts = new List<Task>(count);
                for (var i = 0; i < count; i++)
                {
                    while (Stopwatch.GetTimestamp() < next)
                    {
                        await Task.Delay(1);
                    }
                    next += interval;
                    posts.Add(PostAsync());
                }
                await Task.WhenAll(posts);
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(10) && acks.Keys.Any(id => !receipts.TryGetValue(id, out var r) || r.Count < subscribers))
                {
                    await Task.Delay(50);
                }
                return acks;

                async Task PostAsync()
                {
                    var posted = await poster.InvokeAsync<PostedView>("PostMessages", "broadcast", new object[] { new { body, ttl = 3600 } });
                    acks[posted.MessageIds[0]] = Stopwatch.GetTimestamp();
                }
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static Uri Hub(Uri node, string project) => new(node, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}");

    private static HubWireClientOptions Options(HubWireProtocol protocol) => new() { Protocol = protocol, InvocationTimeout = TimeSpan.FromSeconds(60) };

    private static double P(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
