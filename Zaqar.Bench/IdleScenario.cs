using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Zaqar.Bench;

/// <summary>One server's figures in the idle scenario: its memory with none and with all the connections, and push times.</summary>
internal sealed record IdleFigures(string Server, int Connections, ProcessMemory Empty, ProcessMemory Loaded, double[] PushMs)
{
    public double RssKbPerConnection => (Loaded - Empty).RssBytes / 1024.0 / Connections;

    public double HeapKbPerConnection => (Loaded - Empty).HeapBytes / 1024.0 / Connections;

    public double PinnedKbPerConnection => (Loaded - Empty).PinnedBytes / 1024.0 / Connections;

    public override string ToString() =>
        $"  {Server,-10} RSS {Empty.RssBytes / 1048576.0,7:N1} -> {Loaded.RssBytes / 1048576.0,7:N1} MB, {RssKbPerConnection,5:N1} KB/connection; " +
        $"managed heap {Empty.HeapBytes / 1048576.0,6:N1} -> {Loaded.HeapBytes / 1048576.0,6:N1} MB, {HeapKbPerConnection,5:N1} KB/connection " +
        $"(pinned {PinnedKbPerConnection:N1})" +
        (PushMs.Length == 0 ? "" :
            $"\n  {"",-10} push of one message to a queue's {Connections / IdleScenario.Queues} subscribers, post's send to last receipt " +
            $"({PushMs.Length} posts): p50 {LoadRunner.Percentile(PushMs, 0.5):N1} ms, p99 {LoadRunner.Percentile(PushMs, 0.99):N1} ms");
}

internal sealed record IdleResult(IdleFigures Service, IdleFigures EmptyHub)
{
    public double Ratio => Service.RssKbPerConnection / EmptyHub.RssKbPerConnection;

    public override string ToString() =>
        $"idle: {Service.Connections} WebSocket connections (MessagePack), each subscribed to one of {IdleScenario.Queues} queues; " +
        $"after a full GC, minus the same process with none:\n{Service}\n{EmptyHub}\n  RSS per connection, ZaqarHub / empty hub: {Ratio:N2}x";
}

/// <summary>
/// Issue 14 item 5: what an idle subscribed connection costs the service. The service (the built Zaqar.Hub, on the
/// bench's database) and, for the baseline, an empty SignalR hub each run in a process of their own, listening on
/// several loopback addresses; the clients connect from several loopback source addresses and each calls Subscribe.
/// </summary>
internal static class IdleScenario
{
    public const int Queues = 100;
    private const int ServiceAddresses = 4, SourceAddresses = 8, Parallel = 32, WarmUpConnections = 200, Posts = 25;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(60);

    public static async Task<IdleResult> RunAsync(BenchHost host, int connections)
    {
        var bin = AppContext.BaseDirectory;
        var project = "bench-idle-" + Guid.NewGuid().ToString("N")[..8];
        IdleFigures service;
        await using (var process = await ServiceProcess.StartServiceAsync(host.ConnectionString, ServiceAddresses, Timeout))
        {
            service = await MeasureAsync("ZaqarHub", process, connections, $"/hubs/queues?project_id={project}&client_id=", project);
        }
        // The baseline runs with the service's runtime settings (its GC mode above all), from the service's runtimeconfig.
        string[] emptyArguments =
        [
            "exec", "--runtimeconfig", Path.Combine(bin, "Zaqar.Hub.runtimeconfig.json"), Path.Combine(bin, "Zaqar.Bench.dll"), EmptyHubServer.Argument,
        ];
        IdleFigures empty;
        await using (var process = await ServiceProcess.StartAsync(emptyArguments, new Dictionary<string, string>(), ServiceAddresses, Timeout))
        {
            empty = await MeasureAsync("empty hub", process, connections, EmptyHubServer.Path + "?client_id=", project: null);
        }
        return new IdleResult(service, empty);
    }

    /// <summary>
    /// Warms the server up (a few connections opened and closed), measures it, opens the connections, lets it settle,
    /// measures again; with a project, also times posts to the first queue until its last subscriber has the message.
    /// </summary>
    private static async Task<IdleFigures> MeasureAsync(string name, ServiceProcess server, int connections, string hubPathAndQuery, string? project)
    {
        Console.WriteLine($"  idle: {name} (pid {server.Id}): warm-up, then its memory with no connection");
        var pushes = new PushCounter();
        await using (var warm = new ClientSet(server, hubPathAndQuery, pushes))
        {
            await warm.OpenAsync(WarmUpConnections, name);
        }
        if (project is not null)
        {
            await TimePushesAsync(server, project, pushes, subscribers: 0, count: 3, warmUp: 0);
        }
        await Task.Delay(Settle);
        var before = await server.MeasureAfterFullGcAsync(Timeout);
        await using var clients = new ClientSet(server, hubPathAndQuery, pushes);
        await clients.OpenAsync(connections, name);
        await Task.Delay(Settle);
        var after = await server.MeasureAfterFullGcAsync(Timeout);
        if (project is not null)
        {
            Console.WriteLine($"  idle: {name}: {Posts} posts to a queue's subscribers");
        }
        var pushMs = project is null
            ? []
            : await TimePushesAsync(server, project, pushes, subscribers: (connections + Queues - 1) / Queues, count: Posts, warmUp: 3);
        return new IdleFigures(name, connections, before, after, pushMs);
    }

    /// <summary>
    /// Posts one message at a time to queue q0 over REST; each time, from the post's send to the last subscriber's receipt
    /// (the first <paramref name="warmUp"/> not counted: the push path's first runs).
    /// </summary>
    private static async Task<double[]> TimePushesAsync(ServiceProcess server, string project, PushCounter pushes, int subscribers, int count, int warmUp)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.Endpoints[0]}") };
        http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        http.DefaultRequestHeaders.Add("X-Project-ID", project);
        var times = new List<double>();
        for (var i = -warmUp; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var received = pushes.Expect(subscribers);
            using var posted = await http.PostAsJsonAsync("/v2/queues/q0/messages", new { messages = new[] { new { body = new { n = i }, ttl = 300 } } });
            posted.EnsureSuccessStatusCode();
            var last = await received.WaitAsync(TimeSpan.FromSeconds(30));
            if (i >= 0)
            {
                times.Add(Stopwatch.GetElapsedTime(started, last).TotalMilliseconds);
            }
        }
        return [.. times.Order()];
    }

    /// <summary>Counts the pushes that q0's subscribers receive; completes when the expected number has arrived.</summary>
    private sealed class PushCounter
    {
        private int _received, _expected;
        private TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<long> Expect(int subscribers)
        {
            _done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _received, 0);
            Volatile.Write(ref _expected, subscribers);
            if (subscribers == 0)
            {
                _done.TrySetResult(Stopwatch.GetTimestamp());
            }
            return _done.Task;
        }

        public void Received()
        {
            if (Interlocked.Increment(ref _received) == Volatile.Read(ref _expected))
            {
                _done.TrySetResult(Stopwatch.GetTimestamp());
            }
        }
    }

    /// <summary>The idle connections to one server, client i from source address i mod 8 to service address i mod 4, subscribed to q(i mod 100).</summary>
    private sealed class ClientSet(ServiceProcess server, string hubPathAndQuery, PushCounter pushes) : IAsyncDisposable
    {
        private readonly List<BareHubClient> _clients = [];

        public async Task OpenAsync(int count, string name)
        {
            var progress = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    var queue = i % Queues;
                    var target = server.Endpoints[i % server.Endpoints.Count];
                    var source = IPAddress.Parse($"127.0.1.{1 + (i % SourceAddresses)}");
                    var uri = new Uri($"ws://{target}{hubPathAndQuery}{Guid.NewGuid()}");
                    using var timeout = new CancellationTokenSource(Timeout);
                    var client = await BareHubClient.ConnectAsync(uri, source, queue == 0 ? _ => pushes.Received() : _ => { }, timeout.Token);
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }
                    await client.InvokeAsync("Subscribe", $"q{queue}", timeout.Token);
                    if ((i + 1) % 2000 == 0)
                    {
                        Console.WriteLine($"  idle: {name}: {i + 1} of {count} connections open ({progress.Elapsed.TotalSeconds:N0} s)");
                    }
                }
            }));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var chunk in _clients.Chunk(500))
            {
                await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
            }
            _clients.Clear();
        }
    }
}
