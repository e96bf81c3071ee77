using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Bench;
using Zaqar.Hub.Tests.Cluster;

// The bench command (issues #2, #3): drives the REST API and the hub on loopback with N keep-alive connections
// for a bounded time, and the same work as plain SQL, and prints msg/s, p50/p99, push latency, bytes on the
// wire, and the ratios, all from one run.
if (args is [EmptyHubServer.Argument])
{
    // The idle scenario's baseline server, started by the bench in a process of its own (issue 14).
    await EmptyHubServer.RunAsync();
    return 0;
}

if (args is [Zaqar.Bench.Drills.DrillCommand.Argument, ..])
{
    // Failure drills against deploy/cluster.sh's deployment (issue 16).
    return await Zaqar.Bench.Drills.DrillCommand.RunAsync(args);
}

// The service nodes run in this process: size the shared array pool as the service's own Main does, before anything
// rents from it (the empty hub above, the idle scenario's baseline, keeps the runtime's default).
Zaqar.Hub.Hosting.SharedBufferPool.Configure();

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Console.WriteLine($"ZaqarHub bench: {options.Connections} connections, {options.Duration.TotalSeconds:N0} s per scenario, " +
    $"{(options.Durable ? "durable" : "fsync off")} PostgreSQL, {Environment.ProcessorCount} cores (load generator shares them)");
var progress = new BenchProgress(options);
await using var host = await BenchHost.StartAsync(options);
var results = new Dictionary<string, ScenarioResult>();
async Task Run(string key, Func<Task<ScenarioResult>> scenario)
{
    if (options.Runs(key))
    {
        progress.Start(key);
        var result = await scenario();
        results[key] = result;
        Console.WriteLine(result);
    }
}

// A warm-up round first: every selected load scenario runs briefly, unmeasured, then the measured round runs them all
// again. A scenario's own warm-up (LoadRunner.Warmup) was not enough for the first ones: on 2 saturated cores the JIT's
// background tier-up lags, so whichever scenario came first (plain SQL's insert) paid for compiling Npgsql, and the first
// service scenario for the whole stack: 210 µs of CPU per plain-SQL post where it is 90 µs in steady state, and a profile
// of a later claim scenario still had 11 % of the CPU in the JIT's thread.
if (BenchProgress.LoadScenarios.Any(options.Runs))
{
    var warmUp = options with { Duration = BenchProgress.WarmUpRound };
    await LoadScenariosAsync(warmUp, async (key, scenario) =>
    {
        if (options.Runs(key))
        {
            progress.WarmUp(key);
            await scenario();
        }
    }, prefillRate: 5000);
}
await LoadScenariosAsync(options, Run, prefillRate: null);

// The load scenarios, in order: plain SQL, REST, the hub, Zaqar's websocket transport. The claim scenarios' prefill is
// sized from plain SQL's claim rate in the measured round (prefillRate in the warm-up round).
async Task LoadScenariosAsync(BenchOptions runOptions, Func<string, Func<Task<ScenarioResult>>, Task> run, double? prefillRate)
{
    // Against running service nodes (--service) the baselines need their database named (--connection).
    if (host.ConnectionString.Length > 0)
    {
        await using var sql = new SqlBaseline(host.ConnectionString, runOptions);
        await sql.SetUpAsync();
        await run("sql-post", sql.PostBatchesAsync);
        await run("sql-post1", sql.PostOnesAsync);
        await run("sql-claim", sql.ClaimAndDeleteAsync);
    }

    // The transports' own ceiling (TransportFloor): the same clients and payloads against a server that stores nothing.
    string[] floors = ["rest-floor", "rest-floor1", "hub-mp-floor", "hub-mp-floor1"];
    if (!host.External && floors.Any(runOptions.Runs))
    {
        await using var floor = await TransportFloor.StartAsync(runOptions);
        await run("rest-floor", () => floor.RestPostAsync("transport floor REST: post 10, nothing stored", 10));
        await run("rest-floor1", () => floor.RestPostAsync("transport floor REST: post 1, nothing stored", 1));
        await run("hub-mp-floor", () => floor.HubPostAsync("transport floor hub MessagePack: post 10", 10));
        await run("hub-mp-floor1", () => floor.HubPostAsync("transport floor hub MessagePack: post 1", 1));
    }

    // Enough for the warm-up and the measured run at the plain-SQL rate, with room to spare.
    var prefill = (int)((prefillRate ?? (results.TryGetValue("sql-claim", out var s) ? s.MessagesPerSecond : 20000)) *
        (runOptions.Duration + LoadRunner.Warmup).TotalSeconds * 1.2) + 1000;
    using (var rest = new RestScenarios(host, runOptions))
    {
        await run("rest-post", () => rest.PostBatchesAsync("REST: post 10 x 256 B, one queue", spread: false));
        await run("rest-post-spread", () => rest.PostBatchesAsync("REST: post 10 x 256 B, queue/worker", spread: true));
        await run("rest-post1", () => rest.PostBatchesAsync("REST: post 1 x 256 B per request", spread: false, batchSize: 1));
        if (!host.External)
        {
            await run("store-claim", () => rest.StoreClaimAndDeleteAsync("stores: claim 10 + delete (no HTTP)", prefill));
        }
        await run("rest-claim", () => rest.ClaimAndDeleteAsync("REST: claim 10 + bulk delete", prefill));
        await run("rest-list", () => rest.ListAsync("REST: list 10 messages + 10 queues (pages)"));
    }

    var hubs = new HubScenarios(host, runOptions);
    await run("hub-mp-post", () => hubs.PostAsync("hub MessagePack: post 10 x 256 B", HubWireProtocol.MessagePack, 10));
    await run("hub-json-post", () => hubs.PostAsync("hub JSON: post 10 x 256 B", HubWireProtocol.Json, 10));
    await run("hub-mp-post1", () => hubs.PostAsync("hub MessagePack: post 1 per call", HubWireProtocol.MessagePack, 1));
    await run("hub-json-post1", () => hubs.PostAsync("hub JSON: post 1 per call", HubWireProtocol.Json, 1));
    await run("hub-mp-claim", () => hubs.ClaimAndDeleteAsync("hub MessagePack: claim 10 + delete", HubWireProtocol.MessagePack, prefill));
    await run("hub-json-claim", () => hubs.ClaimAndDeleteAsync("hub JSON: claim 10 + delete", HubWireProtocol.Json, prefill));
    await ZaqarSocketScenarios.RunAsync(host, runOptions, run, prefill);

    // Storage alone, last: they leave hundreds of thousands of rows behind, which the claim scenarios would pay for.
    if (!host.External)
    {
        using var stores = new RestScenarios(host, runOptions);
        await run("store-post", () => stores.StorePostAsync("stores: post 10 (no HTTP)", 10));
        await run("store-post1", () => stores.StorePostAsync("stores: post 1 (no HTTP)", 1));
    }
}

var hub = new HubScenarios(host, options);
var latencies = new List<PushLatency>();
foreach (var protocol in new[] { HubWireProtocol.MessagePack, HubWireProtocol.Json })
{
    if (options.Runs(protocol == HubWireProtocol.MessagePack ? "push-mp" : "push-json"))
    {
        progress.Start(protocol == HubWireProtocol.MessagePack ? "push-mp" : "push-json");
        await DatabaseSettle.RunAsync(host.ConnectionString);
        var latency = await hub.PushLatencyAsync(protocol, rate: 1000);
        latencies.Add(latency);
        Console.WriteLine(latency);
    }
}

FanOutResult? fanOut = null, fanOutOneNode = null;
if (options.Runs("fanout"))
{
    progress.Start("fanout");
    await DatabaseSettle.RunAsync(host.ConnectionString);
    // The same subscribers on one node first: issue 14 item 4 holds two nodes to at most twice that.
    fanOutOneNode = await FanOutScenario.RunAsync(host, nodeCount: 1, subscribers: 1000, rate: 100, options.Duration, options.FanOutClients);
    Console.WriteLine(fanOutOneNode);
    fanOut = await FanOutScenario.RunAsync(host, nodeCount: 2, subscribers: 1000, rate: 100, options.Duration, options.FanOutClients);
    Console.WriteLine(fanOut);
    if (host.External && host.NodesAvailable >= 3)
    {
        // Issue 16 item 4: across every running node named.
        Console.WriteLine(await FanOutScenario.RunAsync(host, host.NodesAvailable, subscribers: 1000, rate: 100, options.Duration, options.FanOutClients));
    }
}
if (options.Runs("presence"))
{
    progress.Start("presence");
    Console.WriteLine(await PresenceScenario.RunAsync(host, subscribers: 1000, HubWireProtocol.MessagePack));
}
foreach (var protocol in new[] { HubWireProtocol.MessagePack, HubWireProtocol.Json })
{
    if (options.Runs("recovery"))
    {
        progress.Start("recovery", protocol.ToString());
        await RecoveryScenario.RunAsync(host, protocol, missed: 1_000); // Warm-up, not reported.
        Console.WriteLine(await RecoveryScenario.RunAsync(host, protocol, missed: 10_000));
    }
}
if (options.Runs("webhooks"))
{
    progress.Start("webhooks");
    Console.WriteLine(await WebhookScenario.RunAsync(host, subscriptions: 10, messages: 500));
}

if (options.Runs("protocol") && !host.External)
{
    progress.Start("protocol");
    foreach (var line in ProtocolCost.Run(host.Services, options.Duration))
    {
        Console.WriteLine(line);
    }
}

if (options.Runs("fuzz"))
{
    progress.Start("fuzz");
    Console.WriteLine(FuzzScenario.Run(options.FuzzCases));
}
var restFuzzFailed = false;
if (options.RunsWhenNamed("rest-fuzz"))
{
    progress.Start("rest-fuzz");
    var report = await RestFuzzScenario.RunAsync(host, options);
    Console.WriteLine(report);
    restFuzzFailed = !report.Passed();
}

ScaleResult? scale = null;
if (options.RunsWhenNamed("scale"))
{
    progress.Start("scale");
    scale = await ScaleScenario.RunAsync(host, options.ScaleMessages, options.ScaleQueues, rounds: 200);
    Console.WriteLine(scale);
}

IdleResult? idle = null;
if (options.RunsWhenNamed("idle"))
{
    progress.Start("idle");
    idle = await IdleScenario.RunAsync(host, options.IdleConnections);
    Console.WriteLine(idle);
}

ClaimHistoryVerdict? history = null;
if (options.RunsWhenNamed("history"))
{
    progress.Start("history");
    history = await ClaimHistoryScenario.RunAsync(host, options);
    Console.WriteLine(history);
}

SoakResult? soak = null;
if (options.RunsWhenNamed("soak"))
{
    progress.Start("soak");
    soak = await SoakScenario.RunAsync(host, options);
    Console.WriteLine(soak);
}

var messagePackBytes = HubScenarios.PushFrameBytes(HubScenarios.ServerMessagePack);
var jsonBytes = HubScenarios.PushFrameBytes(new JsonHubProtocol());
Console.WriteLine($"bytes on the wire per pushed message (256 B body, whole hub frame): MessagePack {messagePackBytes}, JSON {jsonBytes}");

Console.WriteLine();
Console.WriteLine("ratios (same run):");
void Ratio(string label, string a, string b)
{
    if (results.TryGetValue(a, out var x) && results.TryGetValue(b, out var y))
    {
        Console.WriteLine($"  {label,-52} {x.MessagesPerSecond / y.MessagesPerSecond,7:P0}");
    }
}
void Target(string label, string key, double target)
{
    if (results.TryGetValue(key, out var x))
    {
        Console.WriteLine($"  {label,-52} {x.MessagesPerSecond / target,7:P0}  ({x.MessagesPerSecond:N0} of {target:N0} msg/s)");
    }
}
Ratio("REST post (one queue) / plain SQL insert", "rest-post", "sql-post");
Ratio("REST post (queue per worker) / plain SQL insert", "rest-post-spread", "sql-post");
Ratio("REST claim+delete / plain SQL claim+delete", "rest-claim", "sql-claim");
Ratio("stores claim+delete / plain SQL claim+delete", "store-claim", "sql-claim");
Ratio("stores post 10 / plain SQL insert 10", "store-post", "sql-post");
Ratio("stores post 1 / plain SQL insert 1 per tx", "store-post1", "sql-post1");
Ratio("hub MessagePack post 10 / REST post 10", "hub-mp-post", "rest-post");
Ratio("hub MessagePack post 10 / hub JSON post 10", "hub-mp-post", "hub-json-post");
Ratio("hub MessagePack post 1 / REST post 1", "hub-mp-post1", "rest-post1");
Ratio("REST post 1 / plain SQL insert 1 per transaction", "rest-post1", "sql-post1");
Ratio("hub MessagePack post 1 / plain SQL insert 1 per tx", "hub-mp-post1", "sql-post1");
Ratio("hub MessagePack claim+delete / REST claim+delete", "hub-mp-claim", "rest-claim");
Ratio("hub MessagePack claim+delete / plain SQL", "hub-mp-claim", "sql-claim");
Ratio("REST post 10 / its transport floor", "rest-post", "rest-floor");
Ratio("REST post 1 / its transport floor", "rest-post1", "rest-floor1");
Ratio("hub MessagePack post 10 / its transport floor", "hub-mp-post", "hub-mp-floor");
Ratio("hub MessagePack post 1 / its transport floor", "hub-mp-post1", "hub-mp-floor1");
Ratio("REST transport floor post 10 / plain SQL insert 10", "rest-floor", "sql-post");
Ratio("REST transport floor post 1 / plain SQL 1 per tx", "rest-floor1", "sql-post1");
Ratio("hub transport floor post 10 / plain SQL insert 10", "hub-mp-floor", "sql-post");
Ratio("hub transport floor post 1 / plain SQL 1 per tx", "hub-mp-floor1", "sql-post1");
ZaqarSocketScenarios.Ratios(Ratio);
Target("hub MessagePack post 10 / target 25k msg/s", "hub-mp-post", 25_000);
Target("hub MessagePack claim+delete / target 6k msg/s", "hub-mp-claim", 6_000);
foreach (var l in latencies)
{
    Console.WriteLine($"  push p99 from ack ({l.Protocol}) / target 10 ms{"",-18} {l.AckP99 / 10,7:P0}");
    Console.WriteLine($"  push p99 from send ({l.Protocol}) / target 10 ms{"",-17} {l.SendP99 / 10,7:P0}");
}
Console.WriteLine($"  bytes per pushed message, MessagePack / JSON{"",-9} {(double)messagePackBytes / jsonBytes,7:P0}");
var targets = new TargetTable();
targets.Share(results, "1. post 10: hub MessagePack / plain SQL insert 10", "hub-mp-post", "sql-post", 0.70);
targets.Share(results, "1. post 10: REST / plain SQL insert 10", "rest-post", "sql-post", 0.55);
targets.Share(results, "2. post 1: hub MessagePack / plain SQL 1 per transaction", "hub-mp-post1", "sql-post1", 1.0);
targets.Share(results, "2. post 1: REST / plain SQL 1 per transaction", "rest-post1", "sql-post1", 1.0);
targets.Share(results, "3. claim 10 + delete: hub MessagePack / plain SQL", "hub-mp-claim", "sql-claim", 0.70);
targets.Share(results, "3. claim 10 + delete: REST / plain SQL", "rest-claim", "sql-claim", 0.70);
if (fanOut is not null)
{
    // At the rate the target names: a figure measured while fewer messages were posted does not meet it.
    var atRate = fanOut.PostedRate >= 0.95 * fanOut.Rate;
    targets.AtMost("4. fan-out to 1,000 on 2 nodes, p99 of the last receipt", atRate ? fanOut.P99Ms : double.PositiveInfinity,
        $"{fanOut.P99Ms:N1} ms at {fanOut.PostedRate:N1} msg/s posted", 50, $"<= 50 ms at {fanOut.Rate} msg/s");
    if (fanOutOneNode is not null)
    {
        var ratio = fanOut.P99Ms / fanOutOneNode.P99Ms;
        targets.AtMost("4. fan-out p99, 2 nodes / 1 node", ratio, $"{ratio:N2}x ({fanOut.P99Ms:N1} / {fanOutOneNode.P99Ms:N1} ms)", 2, "<= 2x");
    }
}
if (idle is not null)
{
    targets.AtMost("5. idle RSS per subscribed connection", idle.Service.RssKbPerConnection, $"{idle.Service.RssKbPerConnection:N1} KB", 32, "<= 32 KB");
    targets.AtMost("5. idle RSS per connection, ZaqarHub / empty hub", idle.Ratio, $"{idle.Ratio:N2}x", 1.2, "<= 1.2x");
}
if (scale is not null)
{
    foreach (var line in scale.Lines.Where(l => !double.IsNaN(l.BaseP99Ms)))
    {
        targets.AtMost($"6. {line.Operation}, {line.Setting}: p99 / small queue's", line.P99Ratio, $"{line.P99Ratio:N2}x", 1.5, "<= 1.5x");
    }
    targets.AtMost($"6. queue listing p99 at {scale.ProjectQueues:N0} queues", scale.ListP99Ms, $"{scale.ListP99Ms:N1} ms", 50, "< 50 ms");
    targets.AtMost($"6. queue stats p99 at {scale.ProjectQueues:N0} queues", scale.StatsP99Ms, $"{scale.StatsP99Ms:N1} ms", 50, "< 50 ms");
}
if (history is not null)
{
    targets.Verdict("claim history (issue 16): no double claim, nothing lost", history.Passed, $"{history.Claims:N0} claims");
}
foreach (var (criterion, passed, figures) in soak?.Verdict() ?? [])
{
    targets.Verdict("7. soak: " + criterion, passed, figures);
}
targets.Print();
return restFuzzFailed ? 1 : 0;
