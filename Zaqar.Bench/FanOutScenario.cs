using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime;
using System.Text.Json;
using Zaqar.Hub.Api;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Bench;

/// <summary>The fan-out figures: how long until the LAST of the subscribers has a message.</summary>
internal sealed record FanOutResult(int Subscribers, int Nodes, int Rate, int Messages, double P50Ms, double P99Ms, double MaxMs, long Missing)
{
    /// <summary>Per node: p50/p99 of the first and of the last receipt among that node's subscribers, after the ack.</summary>
    public IReadOnlyList<(double FirstP50, double FirstP99, double LastP50, double LastP99)> PerNode { get; init; } = [];

    /// <summary>What the bench's process (service nodes and clients) did with its memory and threads while measured.</summary>
    public ProcessFigures Process { get; init; }

    /// <summary>Messages acknowledged per second over the measured posting, waiting for the last receipts included.</summary>
    public double PostedRate { get; init; }

    public override string ToString() =>
        $"fan-out to {Subscribers} subscribers on {Nodes} nodes at {Rate} msg/s ({Messages} msgs, {PostedRate:N1} msg/s posted): last receipt after ack " +
        $"p50 {P50Ms:N1} ms, p99 {P99Ms:N1} ms, max {MaxMs:N1} ms; deliveries missing {Missing}; {Process}" +
        string.Concat(PerNode.Select((n, i) =>
            $"\n    node {i + 1}{(i == 0 ? " (the poster's)" : " (across LISTEN/NOTIFY)")}: first receipt p50 {n.FirstP50:N1} ms p99 {n.FirstP99:N1} ms, " +
            $"last receipt p50 {n.LastP50:N1} ms p99 {n.LastP99:N1} ms"));
}

/// <summary>Garbage collections and their pauses over an interval, the heap and the thread pool at its end.</summary>
internal readonly record struct ProcessFigures(
    int Gen0, int Gen1, int Gen2, TimeSpan Paused, long AllocatedBytes, TimeSpan Cpu, long Timestamp, long HeapBytes, int Threads, int ProcessThreads,
    GCMemoryInfo LastEphemeral)
{
    /// <summary>Deliveries in the interval (messages times subscribers), to state <see cref="AllocatedBytes"/> per delivery.</summary>
    public long Deliveries { get; init; }

    public static ProcessFigures Take()
    {
        using var process = Process.GetCurrentProcess();
        return new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
            GC.GetTotalAllocatedBytes(precise: true), process.TotalProcessorTime, Stopwatch.GetTimestamp(), GC.GetGCMemoryInfo().HeapSizeBytes,
            ThreadPool.ThreadCount, process.Threads.Count, GC.GetGCMemoryInfo(GCKind.Ephemeral));
    }

    public static ProcessFigures operator -(ProcessFigures end, ProcessFigures start) => new(end.Gen0 - start.Gen0,
        end.Gen1 - start.Gen1, end.Gen2 - start.Gen2, end.Paused - start.Paused, end.AllocatedBytes - start.AllocatedBytes,
        end.Cpu - start.Cpu, end.Timestamp - start.Timestamp, end.HeapBytes, end.Threads, end.ProcessThreads, end.LastEphemeral);

    public override string ToString() =>
        $"GCs {Gen0}/{Gen1}/{Gen2} (gen 0/1/2) pausing {Paused.TotalMilliseconds:N0} ms, allocated {AllocatedBytes / 1048576.0:N0} MiB" +
        (Deliveries > 0 ? $" ({AllocatedBytes / (double)Deliveries:N0} B per delivery, service and clients)" : "") +
        $", CPU {Cpu.TotalSeconds:N1} s in {Timestamp / (double)Stopwatch.Frequency:N1} s" + (Deliveries > 0 ? $" ({Cpu.TotalMicroseconds / Deliveries:N1} µs per delivery)" : "") +
        $", threads {ProcessThreads}, heap {HeapBytes / 1048576.0:N0} MiB, pool threads {Threads}; " +
        $"last ephemeral GC: pause {LastEphemeral.PauseDurations[0].TotalMilliseconds:N1} ms, promoted {LastEphemeral.PromotedBytes / 1048576.0:N1} MiB, " +
        $"pinned objects {LastEphemeral.PinnedObjectsCount:N0}, gen2 {LastEphemeral.GenerationInfo[2].SizeAfterBytes / 1048576.0:N0} MiB, " +
        $"fragmented {LastEphemeral.FragmentedBytes / 1048576.0:N0} MiB, heaps {GCSettings.IsServerGC switch { true => "server", false => "workstation" }}";
}

/// <summary>Receipts of one message: how many, and per node the first and last receipt time.</summary>
internal sealed class Receipt(int nodes)
{
    public int Count;
    public readonly long[] First = new long[nodes];
    public readonly long[] Last = new long[nodes];

    public void Record(int node, long now)
    {
        lock (this)
        {
            Count++;
            First[node] = First[node] == 0 ? now : Math.Min(First[node], now);
            Last[node] = Math.Max(Last[node], now);
        }
    }
}

/// <summary>What the fan-out's subscribers connect with.</summary>
internal enum FanOutClients
{
    /// <summary><see cref="BareHubClient"/>: MessagePack by hand, only the message ids read.</summary>
    Bare,

    /// <summary>The official .NET client with Zaqar's MessagePack formatters, every pushed message decoded.</summary>
    Official,
}

/// <summary>
/// Issue #4's fan-out: subscribers spread over two service nodes on one database (or all on one), posters on the first node
/// paced together at a fixed rate; for every message, the time from the post's acknowledgement to the receipt by the last
/// subscriber (pushes to the second node's subscribers cross nodes through LISTEN/NOTIFY).
/// </summary>
/// <remarks>
/// The subscribers are <see cref="BareHubClient"/>s unless <c>--fanout-clients official</c> says otherwise: they share the
/// nodes' two cores, and 1,000 official clients, each with its receive loop, pipe and decoding of every body, spent
/// about as much CPU per delivery as the nodes (9.2 µs of 18.7, measured with the nodes in processes of their own) and
/// allocated nine tenths of the bytes. The figure then measured the clients' queueing as much as the service's.
/// </remarks>
internal static class FanOutScenario
{
    private const int WarmUpSeconds = 15;

    /// <summary>Posting connections: enough for the rate while each post takes up to this many times the interval.</summary>
    private const int Posters = 16;

    /// <param name="nodeCount">1: every subscriber on the poster's node (the reference issue 14 item 4 compares with); 2 or more: spread evenly.</param>
    /// <param name="clients">What the subscribers connect with; the posters are the official client (MessagePack) either way.</param>
    public static async Task<FanOutResult> RunAsync(BenchHost host, int nodeCount, int subscribers, int rate, TimeSpan duration, FanOutClients clients)
    {
        var nodes = new[] { host.BaseAddress }.ToList();
        while (nodes.Count < nodeCount)
        {
            nodes.Add(await host.AddNodeAsync());
        }
        var project = "bench-fanout-" + Guid.NewGuid().ToString("N")[..8];
        var receipts = new ConcurrentDictionary<Guid, Receipt>();
        var subscriptions = new List<IAsyncDisposable>();
        var posterConnections = new List<HubConnection>();
        try
        {
            // Connect in small parallel waves: a thousand handshakes at once only measure the accept queue.
            for (var i = 0; i < subscribers; i += 50)
            {
                subscriptions.AddRange(await Task.WhenAll(Enumerable.Range(i, Math.Min(50, subscribers - i)).Select(n =>
                    SubscribeAsync(Hub(nodes[n % nodes.Count], project), n % nodes.Count))));
            }

            // Several posting connections, taken in turn: the hub runs one connection's calls one at a time, so a single
            // poster posts only as fast as each post's round trip allows, which under this load was 54-62 msg/s, not the rate.
            var posters = await Task.WhenAll(Enumerable.Range(0, Posters).Select(_ => BenchHubs.ConnectAsync(Hub(nodes[0], project), HubWireProtocol.MessagePack)));
            posterConnections.AddRange(posters);
            var body = JsonDocument.Parse(Payloads.Body).RootElement.Clone();

            // An unmeasured warm-up first, so the figures are of the steady state, not of the JIT's first tiers. With the
            // machine saturated by the fan-out, the JIT's background tier-up lags: after 2 s a profile still showed 10 % of
            // the CPU compiling and quick-jitted SignalR frames, and the 1-node p99 was 88-115 ms against 59-65 ms after 6 s.
            // Posting at the full rate (several posters), 6 s were not enough either: a profile of the measured seconds put
            // 7.7 % of the CPU in the JIT, 23 % in the runtime's native code and the subscribers' receive loop still in its
            // instrumented and quick-jitted tiers; after 15 s, 4.8 %, 9.5 % and the loop optimized.
            await PostPacedAsync(rate * WarmUpSeconds);
            var process = ProcessFigures.Take();
            var posting = Stopwatch.StartNew();
            var acks = await PostPacedAsync((int)(rate * duration.TotalSeconds));
            var postedRate = acks.Count / posting.Elapsed.TotalSeconds;
            var processDuring = ProcessFigures.Take() - process;
            double After(long ack, long at) => Math.Max(0, Stopwatch.GetElapsedTime(ack, at).TotalMilliseconds);
            var got = acks.Where(a => receipts.ContainsKey(a.Key)).Select(a => (Ack: a.Value, R: receipts[a.Key])).ToList();
            var lastAfterAck = got.Select(g => After(g.Ack, g.R.Last.Max())).Order().ToArray();
            var perNode = Enumerable.Range(0, nodes.Count).Select(n =>
            {
                var first = got.Where(g => g.R.First[n] != 0).Select(g => After(g.Ack, g.R.First[n])).Order().ToArray();
                var last = got.Where(g => g.R.Last[n] != 0).Select(g => After(g.Ack, g.R.Last[n])).Order().ToArray();
                return (LoadRunner.Percentile(first, 0.5), LoadRunner.Percentile(first, 0.99), LoadRunner.Percentile(last, 0.5), LoadRunner.Percentile(last, 0.99));
            }).ToList();
            var missing = acks.Keys.Sum(id => subscribers - (receipts.TryGetValue(id, out var r) ? r.Count : 0));
            return new FanOutResult(subscribers, nodes.Count, rate, acks.Count, LoadRunner.Percentile(lastAfterAck, 0.5), LoadRunner.Percentile(lastAfterAck, 0.99), lastAfterAck.LastOrDefault(), missing)
            {
                PerNode = perNode,
                PostedRate = postedRate,
                Process = processDuring with { Deliveries = (long)acks.Count * subscribers },
            };

            // Posts count messages at the rate, then waits (bounded) for every subscriber to have them.
            async Task<ConcurrentDictionary<Guid, long>> PostPacedAsync(int count)
            {
                var acks = new ConcurrentDictionary<Guid, long>();
                await LoadRunner.PacedAsync(rate, count, i => PostAsync(posters[i % posters.Length]));
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(10) && acks.Keys.Any(id => !receipts.TryGetValue(id, out var r) || r.Count < subscribers))
                {
                    await Task.Delay(50);
                }
                return acks;

                async Task PostAsync(HubConnection poster)
                {
                    var posted = await poster.InvokeAsync<PostedView>("PostMessages", "broadcast", new object[] { new { body, ttl = 3600 } });
                    acks[Guid.Parse(posted.MessageIds[0])] = Stopwatch.GetTimestamp();
                }
            }
        }
        finally
        {
            await Task.WhenAll(posterConnections.Select(c => c.DisposeAsync().AsTask()).Concat(subscriptions.Select(s => s.DisposeAsync().AsTask())));
        }

        void Received(Guid id, int node, long now) => receipts.GetOrAdd(id, _ => new Receipt(nodes.Count)).Record(node, now);

        // A subscriber of the queue on one node, receipts recorded as its pushes arrive.
        async Task<IAsyncDisposable> SubscribeAsync(Uri hub, int node)
        {
            if (clients == FanOutClients.Official)
            {
                var client = BenchHubs.Build(hub, HubWireProtocol.MessagePack);
                client.On<string, PushedMessageView[]>("Messages", (_, messages) =>
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var m in messages)
                    {
                        Received(Guid.Parse(m.Id), node, now);
                    }
                });
                await client.StartAsync(CancellationToken.None);
                await client.InvokeAsync("Subscribe", "broadcast");
                return client;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var bare = await BareHubClient.ConnectAsync(ToWebSocket(hub), IPAddress.Loopback, invocation =>
            {
                var now = Stopwatch.GetTimestamp();
                ReadPushedIds(invocation, id => Received(id, node, now));
            }, timeout.Token);
            await bare.InvokeAsync("Subscribe", "broadcast", timeout.Token);
            return bare;
        }
    }

    /// <summary>
    /// The ids of a push's messages: <c>[1, headers, nil, "Messages", [queue, [{"id": "...", ...}, ...]], ...]</c>, read in
    /// place; anything else (another method) is passed over.
    /// </summary>
    private static void ReadPushedIds(ReadOnlyMemory<byte> invocation, Action<Guid> id)
    {
        var reader = new MessagePackReader(invocation);
        reader.ReadArrayHeader();
        reader.Skip(); // type
        reader.Skip(); // headers
        reader.Skip(); // invocation id: none for a push
        if (!reader.TryReadStringSpan(out var target) || !target.SequenceEqual("Messages"u8))
        {
            return;
        }
        reader.ReadArrayHeader(); // arguments
        reader.Skip(); // the queue's name
        for (var count = reader.ReadArrayHeader(); count > 0; count--)
        {
            for (var fields = reader.ReadMapHeader(); fields > 0; fields--)
            {
                if (reader.TryReadStringSpan(out var key) && key.SequenceEqual("id"u8) && reader.TryReadStringSpan(out var value) &&
                    Utf8Parser.TryParse(value, out Guid parsed, out _))
                {
                    id(parsed);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static Uri ToWebSocket(Uri hub) => new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri;

    private static Uri Hub(Uri node, string project) => new(node, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}");
}
