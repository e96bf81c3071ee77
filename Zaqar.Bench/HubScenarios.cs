using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Api;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Zaqar.Serialization;

namespace Zaqar.Bench;

/// <summary>The hub over keep-alive WebSockets (one connection per worker), with MessagePack or JSON.</summary>
internal sealed class HubScenarios(BenchHost host, BenchOptions options)
{
    private static readonly JsonElement Body = JsonDocument.Parse(Payloads.Body).RootElement.Clone();

    private static readonly object[] Batch10 = Enumerable.Range(0, 10).Select(_ => (object)new { body = Body, ttl = 3600 }).ToArray();
    private static readonly object[] Batch1 = [new { body = Body, ttl = 3600 }];

    public Task<ScenarioResult> PostAsync(string name, HubWireProtocol protocol, int batchSize) =>
        WithConnectionsAsync(protocol, "bench-hub-post", async (hubs, project) =>
        {
            var batch = batchSize == 10 ? Batch10 : Batch1;
            return await LoadRunner.RunAsync(name, hubs.Length, options.Duration, async worker =>
            {
                await hubs[worker].InvokeAsync<PostedView>("PostMessages", "q", batch);
                return batch.Length;
            });
        });

    public Task<ScenarioResult> ClaimAndDeleteAsync(string name, HubWireProtocol protocol, int prefill) =>
        WithConnectionsAsync(protocol, "bench-hub-claim", async (hubs, project) =>
        {
            await RestScenarios.PrefillAsync(host, project, "work", prefill);
            var claim = new { ttl = 300, grace = 60, limit = 10 };
            return await LoadRunner.RunAsync(name, hubs.Length, options.Duration, async worker =>
            {
                var claimed = await hubs[worker].InvokeAsync<ClaimCreatedView?>("CreateClaim", "work", claim);
                if (claimed is null)
                {
                    return 0;
                }
                await hubs[worker].InvokeAsync("DeleteMessages", "work", claimed.Messages.Select(m => m.Id).ToArray(), new[] { claimed.ClaimId });
                return claimed.Messages.Count;
            });
        });

    /// <summary>
    /// Posters paced together at <paramref name="rate"/> messages/s (one message per post), one subscriber:
    /// latency from the post's acknowledgement (and from its send) to the subscriber's receipt of the push.
    /// Several posters, because a connection's calls run one at a time and each waits for its commit.
    /// </summary>
    public async Task<PushLatency> PushLatencyAsync(HubWireProtocol protocol, int rate, int posters = 8)
    {
        var project = "bench-push-" + Guid.NewGuid().ToString("N")[..8];
        var posterHubs = await Task.WhenAll(Enumerable.Range(0, posters).Select(_ => ConnectAsync(protocol, project)));
        await using var subscriber = await ConnectAsync(protocol, project);
        var received = new Dictionary<string, long>();
        using var handler = subscriber.On<string, PushedMessageView[]>("Messages", (_, messages) =>
        {
            var now = Stopwatch.GetTimestamp();
            lock (received)
            {
                foreach (var m in messages)
                {
                    received[m.Id] = now;
                }
            }
        });
        await subscriber.InvokeAsync("Subscribe", "news");

        // A short unmeasured warm-up first, so the figures are of the steady state, not of the JIT's first tiers.
        await PostPacedAsync(rate);
        var sent = await PostPacedAsync((int)(rate * options.Duration.TotalSeconds));
        await Task.WhenAll(posterHubs.Select(h => h.DisposeAsync().AsTask()));

        var fromAck = new List<double>();
        var fromSend = new List<double>();
        lock (received)
        {
            foreach (var (id, (s, a)) in sent)
            {
                if (!received.TryGetValue(id, out var r))
                {
                    throw new InvalidOperationException($"push latency: message {id} was never pushed");
                }
                fromSend.Add(Stopwatch.GetElapsedTime(s, r).TotalMilliseconds);
                fromAck.Add(Math.Max(0, Stopwatch.GetElapsedTime(a, r).TotalMilliseconds));
            }
        }
        fromAck.Sort();
        fromSend.Sort();
        return new PushLatency(protocol, rate, sent.Count, LoadRunner.Percentile(fromAck, 0.5), LoadRunner.Percentile(fromAck, 0.99), LoadRunner.Percentile(fromSend, 0.5), LoadRunner.Percentile(fromSend, 0.99));

        // Posts count messages at the rate, then waits (bounded) until the subscriber has every one.
        async Task<Dictionary<string, (long Sent, long Acked)>> PostPacedAsync(int count)
        {
            var sent = new Dictionary<string, (long Sent, long Acked)>();
            await LoadRunner.PacedAsync(rate, count, i => PostOneAsync(posterHubs[i % posters]));
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                lock (received)
                {
                    if (sent.Keys.All(received.ContainsKey))
                    {
                        break;
                    }
                }
                await Task.Delay(20);
            }
            return sent;

            async Task PostOneAsync(HubConnection poster)
            {
                var started = Stopwatch.GetTimestamp();
                var posted = await poster.InvokeAsync<PostedView>("PostMessages", "news", Batch1);
                var acked = Stopwatch.GetTimestamp();
                lock (received)
                {
                    sent[posted.MessageIds[0]] = (started, acked);
                }
            }
        }
    }

    /// <summary>The server's MessagePack protocol: the official one with Zaqar's options.</summary>
    public static IHubProtocol ServerMessagePack { get; } =
        new MessagePackHubProtocol(Options.Create(new Microsoft.AspNetCore.SignalR.MessagePackHubProtocolOptions { SerializerOptions = ZaqarMessagePack.ServerOptions }));

    /// <summary>The bytes one pushed message (a 256-byte body) takes on the wire: the whole hub frame, per protocol.</summary>
    public static long PushFrameBytes(IHubProtocol protocol)
    {
        var message = new PushedMessageView(Guid.NewGuid().ToString("D"), Body, 3600, 0);
        var buffer = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new InvocationMessage("Messages", ["orders", new[] { message }]), buffer);
        return buffer.WrittenCount;
    }

    private async Task<ScenarioResult> WithConnectionsAsync(
        HubWireProtocol protocol, string projectPrefix, Func<HubConnection[], string, Task<ScenarioResult>> run)
    {
        var project = projectPrefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var hubs = await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(_ => ConnectAsync(protocol, project)));
        try
        {
            return await run(hubs, project);
        }
        finally
        {
            await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    private Task<HubConnection> ConnectAsync(HubWireProtocol protocol, string project) =>
        BenchHubs.ConnectAsync(new Uri(host.BaseAddress, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}"), protocol);
}

/// <summary>Push latency figures: from the post's acknowledgement, and from its send.</summary>
internal sealed record PushLatency(HubWireProtocol Protocol, int Rate, int Messages, double AckP50, double AckP99, double SendP50, double SendP99)
{
    public override string ToString() =>
        $"push latency, {Protocol,-11} at {Rate} msg/s ({Messages} msgs): from ack p50 {AckP50,6:N2} ms p99 {AckP99,6:N2} ms; from send p50 {SendP50,6:N2} ms p99 {SendP99,6:N2} ms";
}
