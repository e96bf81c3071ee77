using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Zaqar.Hub.Telemetry;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 15: a post is traced from the transport through the API layer to its PostgreSQL statements, and the service's
/// counters move by what each operation did; /metrics shows them in Prometheus' format.
/// </summary>
public sealed class TelemetryTests(ZaqarTestServer server)
{
    [Fact]
    public async Task ARestPostIsOneTraceFromTheRequestThroughTheApiLayerToItsSqlStatements()
    {
        var exported = new List<Activity>();
        await using var factory = TracedFactory(exported);
        using var client = new ZaqarClient(factory.CreateClient(), "trace-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await client.PostMessagesAsync("traced", "hello");

        var api = await SpanAsync(exported, a => a.Source.Name == ZaqarTelemetry.Name && a.OperationName == "messages.post" && Project(a) == client.Project);
        Assert.Equal("traced", api.GetTagItem(ZaqarTelemetry.DestinationAttribute));
        Assert.Equal("send", api.GetTagItem(ZaqarTelemetry.OperationTypeAttribute));
        var request = await SpanAsync(exported, a => a.Kind == ActivityKind.Server && a.SpanId == api.ParentSpanId);
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        Assert.Equal(api.TraceId, request.TraceId);
        var statements = await SpansAsync(exported, a => a.Source.Name == "Npgsql" && a.TraceId == api.TraceId);
        Assert.Contains(statements, s => s.ParentSpanId == api.SpanId);
        Assert.Contains(statements, s => Statement(s).Contains("INSERT INTO messages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHubInvocationIsTracedThroughTheApiLayerToItsSqlStatements()
    {
        var exported = new List<Activity>();
        await using var factory = TracedFactory(exported);
        using var client = new ZaqarClient(factory.CreateClient(), "trace-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await using var hub = await factory.ConnectHubAsync(HubWireProtocol.Json, client);
        await hub.InvokeAsync<System.Text.Json.Nodes.JsonNode>("PostMessages", "hubtraced", new[] { new { body = 1 } }).Within();

        var api = await SpanAsync(exported, a => a.Source.Name == ZaqarTelemetry.Name && a.OperationName == "messages.post" && Project(a) == client.Project);
        // SignalR's own span of the invocation (ASP.NET Core 9 and later) is the API span's parent.
        var invocation = await SpanAsync(exported, a => a.SpanId == api.ParentSpanId);
        Assert.Equal(ZaqarTelemetry.SignalRServerSource, invocation.Source.Name);
        Assert.Contains("PostMessages", invocation.DisplayName, StringComparison.Ordinal);
        await SpanAsync(exported, a => a.Source.Name == "Npgsql" && a.ParentSpanId == api.SpanId);
    }

    [Fact]
    public async Task APostPushedByAnotherNodeLinksTheAnnouncementAndTheRelayToThePostsTrace()
    {
        List<Activity> posterSpans = [], pusherSpans = [];
        await using var poster = Cluster.ServiceNode.Start(TracedFactory(posterSpans));
        // Never polls: what it pushes came through the announcement.
        await using var pusher = Cluster.ServiceNode.Start(TracedFactory(pusherSpans, new() { ["Cluster:PollIntervalMilliseconds"] = "600000" }));
        var project = "trace-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscriber = await pusher.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "relayed");
        using var rest = poster.Rest(project);
        await rest.PostMessagesAsync("relayed", "across");
        await subscriber.NextPushAsync(TimeSpan.FromSeconds(10), "the push from the other node");

        var post = await SpanAsync(posterSpans, a => a.OperationName == "messages.post" && Project(a) == project);
        var announce = await SpanAsync(posterSpans, a => a.OperationName == "cluster.announce" && LinksTo(a, post));
        Assert.Equal(ActivityKind.Producer, announce.Kind);
        var relay = await SpanAsync(pusherSpans, a => a.OperationName == "cluster.relay" && LinksTo(a, post));
        Assert.Equal(ActivityKind.Consumer, relay.Kind);
        Assert.NotEqual(post.TraceId, relay.TraceId);
        // The read-back of the posted rows runs inside the relay span.
        await SpanAsync(pusherSpans, a => a.Source.Name == "Npgsql" && a.ParentSpanId == relay.SpanId);
    }

    [Fact]
    public async Task PostClaimAndDeleteMoveTheMessageCountersByWhatTheyDid()
    {
        using var recorder = new CounterRecorder();
        using var client = server.NewProject();
        using (recorder.Attribute())
        {
            await client.PostMessagesAsync("counted", "a", "b", "c");
            var (claimId, claimed) = await client.ClaimAsync("counted", limit: 2);
            var first = claimed[0]!["href"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(first)).Status);
            var ids = (await client.GetAsync("/v2/queues/counted/messages?echo=true&include_claimed=true")).Ids();
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/counted/messages?ids={string.Join(',', ids)}&claim_ids={claimId}")).Status);
        }
        Assert.Equal(3, recorder.Total("zaqar.messages.posted"));
        Assert.Equal(2, recorder.Total("zaqar.messages.claimed"));
        // One by the claimed message's own path, then the other claimed one by ids (the unclaimed one is not held by the claim).
        Assert.Equal(2, recorder.Total("zaqar.messages.deleted"));
        Assert.Equal(0, recorder.Total("zaqar.messages.dead_lettered"));
    }

    [Fact]
    public async Task AClaimPastTheMaxClaimCountCountsTheMessagesItDeadLetters()
    {
        using var recorder = new CounterRecorder();
        using var client = server.NewProject();
        await client.CreateQueueAsync("source", new { _max_claim_count = 1, _dead_letter_queue = "graveyard" });
        using (recorder.Attribute())
        {
            await client.PostMessagesAsync("source", "x", "y");
            var (claimId, _) = await client.ClaimAsync("source");
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/source/claims/{claimId}")).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/source/claims", new { })).Status);
        }
        Assert.Equal(2, recorder.Total("zaqar.messages.claimed"));
        Assert.Equal(2, recorder.Total("zaqar.messages.dead_lettered"));
    }

    [Fact]
    public async Task MetricsServesTheCountersAndConnectionsInPrometheusFormat()
    {
        using var client = server.NewProject();
        using var scraper = server.Factory.CreateClient();
        var before = Value(await scraper.GetStringAsync("/metrics", TestContext.Current.CancellationToken), "zaqar_messages_posted_total");
        await client.PostMessagesAsync("scraped", 1, 2);
        await using var hub = await server.Factory.ConnectHubAsync(HubWireProtocol.MessagePack, client);

        var (text, _) = await DeliveryWaits.UntilAsync(
            async () => new Scrape(await scraper.GetStringAsync("/metrics", TestContext.Current.CancellationToken), before),
            t => Value(t.Text, "zaqar_messages_posted_total") >= before + 2 && Connections.IsMatch(t.Text),
            timeoutSeconds: 20, "the scrape to show the post and the connection");
        // Npgsql's and the runtime's own metrics are there too. (ASP.NET Core's and SignalR's are as well, but each test host
        // has meters of their names, and one host stopping ends those series in every host's scrape: not testable here.)
        Assert.Contains("db_client_operation_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheQueueGaugesReportTheSampledQueuesDepthAndOldestAge()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Telemetry:SampleIntervalSeconds"] = "3600",
            ["Telemetry:PerQueueGauges"] = "true",
        });
        using var client = new ZaqarClient(factory.CreateClient(), "gauge-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await client.PostMessagesAsync("deep", 1, 2, 3, 4);
        await client.PostMessagesAsync("shallow", 1);
        await factory.Services.GetRequiredService<QueueSampler>().SampleAsync(TestContext.Current.CancellationToken);

        var gauges = Gauges(factory);
        Assert.Equal(4, gauges.Single(g => g.Name == "zaqar.queue.depth" && g.Tags.Contains($"{client.Project}/deep")).Value);
        Assert.Equal(1, gauges.Single(g => g.Name == "zaqar.queue.depth" && g.Tags.Contains($"{client.Project}/shallow")).Value);
        Assert.InRange(gauges.Single(g => g.Name == "zaqar.queue.oldest_message.age" && g.Tags.Contains($"{client.Project}/deep")).Value, 0, 3600);
        Assert.Equal(1, gauges.Single(g => g.Name == "zaqar.database.up" && g.Tags == PoolTargetLabel).Value);
    }

    [Fact]
    public async Task WithoutPerQueueGaugesTheGaugesNameNoQueueAndReportTheDeepest()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Telemetry:SampleIntervalSeconds"] = "3600" });
        using var client = new ZaqarClient(factory.CreateClient(), "gauge-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await client.PostMessagesAsync("deep", 1, 2, 3);
        await client.PostMessagesAsync("shallow", 1);
        await factory.Services.GetRequiredService<QueueSampler>().SampleAsync(TestContext.Current.CancellationToken);

        var depth = Assert.Single(Gauges(factory), g => g.Name == "zaqar.queue.depth");
        Assert.Equal((3, ""), (depth.Value, depth.Tags));
        Assert.Equal("", Assert.Single(Gauges(factory), g => g.Name == "zaqar.queue.oldest_message.age").Tags);
    }

    [Fact]
    public async Task WithAnOtlpEndpointConfiguredTracesAreExportedToTheCollector()
    {
        // A stand-in collector: OTLP over HTTP posts protobuf to /v1/traces; an empty 200 is a valid answer.
        using var collector = new HttpListener();
        var port = Zaqar.Data.Embedded.LoopbackPort.Free();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<string>();
        var serving = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                try
                {
                    var context = await collector.GetContextAsync();
                    received.Enqueue($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath} {context.Request.ContentType}");
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        }, TestContext.Current.CancellationToken);
        await using (var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{port}",
            ["Telemetry:OtlpProtocol"] = "http/protobuf",
        }))
        {
            using var client = new ZaqarClient(factory.CreateClient(), "otlp-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
            await client.PostMessagesAsync("exported", "hello");
            // The batch exporter sends every few seconds.
            await DeliveryWaits.UntilAsync(
                () => received.Any(r => r.StartsWith("POST /v1/traces application/x-protobuf", StringComparison.Ordinal)), step: null,
                timeoutSeconds: 30, "the collector to receive traces");
        }
        collector.Stop();
        await serving;
    }

    [Fact]
    public async Task TelemetrySettingsAreCheckedAtStart()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "collector:4317",
            ["Telemetry:OtlpProtocol"] = "udp",
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.Server);
        var text = error.ToString();
        Assert.Contains("Telemetry:OtlpEndpoint must be an absolute http or https URI", text, StringComparison.Ordinal);
        Assert.Contains("Telemetry:OtlpProtocol must be", text, StringComparison.Ordinal);
    }

    private static readonly Regex Connections =
        new("""zaqar_hub_connections\{[^}]*signalr_transport="web_sockets"[^}]*zaqar_hub_protocol="messagepack"[^}]*\} [1-9]""");

    private ZaqarFactory TracedFactory(List<Activity> exported, Dictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?>(settings ?? []) { ["Telemetry:TracingEnabled"] = "true" };
        return server.CreateFactory(merged, services: s => s.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(exported)));
    }

    private static bool LinksTo(Activity span, Activity target) =>
        span.Links.Any(l => l.Context.TraceId == target.TraceId && l.Context.SpanId == target.SpanId);

    private static string? Project(Activity a) => a.GetTagItem(ZaqarTelemetry.ProjectAttribute) as string;

    private static string Statement(Activity a) => (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")) as string ?? a.DisplayName;

    /// <summary>The first span <paramref name="match"/> accepts, once exported (a server span ends after its response is sent).</summary>
    private static async Task<Activity> SpanAsync(List<Activity> exported, Func<Activity, bool> match) =>
        (await SpansAsync(exported, match))[0];

    private static Task<List<Activity>> SpansAsync(List<Activity> exported, Func<Activity, bool> match) =>
        DeliveryWaits.UntilAsync(
            // The exporter appends without a lock: a copy may end in a slot not written yet.
            () => Task.FromResult(exported.ToArray().Where(a => a is not null && match(a)).ToList()),
            found => found.Count > 0, timeoutSeconds: 20, "the span");

    private const string PoolTargetLabel = "(primary)";

    /// <summary>
    /// The observable gauges of <paramref name="factory"/>'s own meters, read now (name, value, and the attributes as
    /// "project/queue" or the database's label, empty without any): other hosts of the run have gauges of the same names.
    /// </summary>
    private static List<(string Name, double Value, string Tags)> Gauges(ZaqarFactory factory)
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

    /// <summary>A scrape; shown by the lines the test waits for, when the wait fails.</summary>
    private sealed record Scrape(string Text, double Before)
    {
        public override string ToString() => $"posted before: {Before}; " + string.Join(" | ", Text.Split('\n').Where(l =>
            l.StartsWith("zaqar_messages_posted_total", StringComparison.Ordinal) || l.StartsWith("zaqar_hub_connections", StringComparison.Ordinal) ||
            l.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)).Take(12));
    }

    /// <summary>The sample's value of a series without attributes (0 when absent).</summary>
    private static double Value(string text, string series) =>
        Regex.Match(text, $"^{series}(?:\\{{[^}}]*\\}})? (\\S+)", RegexOptions.Multiline) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : 0;

    /// <summary>
    /// The service's counters, as measured inside <see cref="Attribute"/>: the test server keeps the caller's execution
    /// context, so only this test's requests count, while other tests run beside it.
    /// </summary>
    private sealed class CounterRecorder : IDisposable
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
}
