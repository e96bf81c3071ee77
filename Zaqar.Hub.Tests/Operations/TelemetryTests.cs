using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Zaqar.Hub.Telemetry;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 15: a post is traced from the transport (a REST request, a hub invocation) through the API layer to its
/// PostgreSQL statements; the cross-node announcement and relay link to it; with an OTLP endpoint, traces are exported.
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
}
