using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Telemetry;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 15: the service's counters move by what each operation did, the sampled gauges report the queues and databases,
/// and /metrics shows them in Prometheus' format; the telemetry settings are checked at start.
/// </summary>
public sealed class MetricsTests(ZaqarTestServer server)
{
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

        var gauges = MeterReaders.Gauges(factory);
        Assert.Equal(4, gauges.Single(g => g.Name == "zaqar.queue.depth" && g.Tags.Contains($"{client.Project}/deep")).Value);
        Assert.Equal(1, gauges.Single(g => g.Name == "zaqar.queue.depth" && g.Tags.Contains($"{client.Project}/shallow")).Value);
        Assert.InRange(gauges.Single(g => g.Name == "zaqar.queue.oldest_message.age" && g.Tags.Contains($"{client.Project}/deep")).Value, 0, 3600);
        Assert.Equal(1, gauges.Single(g => g.Name == "zaqar.database.up" && g.Tags == MeterReaders.PrimaryLabel).Value);
    }

    [Fact]
    public async Task TheDepthGaugeCountsAQueueUpToItsLimit()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Telemetry:SampleIntervalSeconds"] = "3600",
            ["Telemetry:PerQueueGauges"] = "true",
            ["Telemetry:SampledDepthLimit"] = "3",
        });
        using var client = new ZaqarClient(factory.CreateClient(), "gauge-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await client.PostMessagesAsync("deep", 1, 2, 3, 4, 5);
        await client.PostMessagesAsync("at-limit", 1, 2, 3);
        await client.PostMessagesAsync("shallow", 1, 2);
        await factory.Services.GetRequiredService<QueueSampler>().SampleAsync(TestContext.Current.CancellationToken);

        var gauges = MeterReaders.Gauges(factory);
        double Depth(string queue) => gauges.Single(g => g.Name == "zaqar.queue.depth" && g.Tags.Contains($"{client.Project}/{queue}")).Value;
        Assert.Equal((3, 3, 2), (Depth("deep"), Depth("at-limit"), Depth("shallow")));
        // The oldest message is found whatever the depth.
        Assert.InRange(gauges.Single(g => g.Name == "zaqar.queue.oldest_message.age" && g.Tags.Contains($"{client.Project}/deep")).Value, 0, 3600);
    }

    [Fact]
    public async Task WithoutPerQueueGaugesTheGaugesNameNoQueueAndReportTheDeepest()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Telemetry:SampleIntervalSeconds"] = "3600" });
        using var client = new ZaqarClient(factory.CreateClient(), "gauge-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await client.PostMessagesAsync("deep", 1, 2, 3);
        await client.PostMessagesAsync("shallow", 1);
        await factory.Services.GetRequiredService<QueueSampler>().SampleAsync(TestContext.Current.CancellationToken);

        var depth = Assert.Single(MeterReaders.Gauges(factory), g => g.Name == "zaqar.queue.depth");
        Assert.Equal((3, ""), (depth.Value, depth.Tags));
        Assert.Equal("", Assert.Single(MeterReaders.Gauges(factory), g => g.Name == "zaqar.queue.oldest_message.age").Tags);
    }

    [Fact]
    public async Task TelemetrySettingsAreCheckedAtStart()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "collector:4317",
            ["Telemetry:OtlpProtocol"] = "udp",
            ["Telemetry:SampledDepthLimit"] = "0",
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.Server);
        var text = error.ToString();
        Assert.Contains("Telemetry:OtlpEndpoint must be an absolute http or https URI", text, StringComparison.Ordinal);
        Assert.Contains("Telemetry:OtlpProtocol must be", text, StringComparison.Ordinal);
        Assert.Contains("SampledDepthLimit", text, StringComparison.Ordinal);
    }

    private static readonly Regex Connections =
        new("""zaqar_hub_connections\{[^}]*signalr_transport="web_sockets"[^}]*zaqar_hub_protocol="messagepack"[^}]*\} [1-9]""");

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
}
