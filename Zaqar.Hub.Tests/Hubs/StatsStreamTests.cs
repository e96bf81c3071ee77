using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// The live stats stream behind the console's charts (issue 15 item 6): samples pushed over the hub with the depth of the
/// caller's queues and, for an admin only, the node's message rates from the telemetry counters.
/// </summary>
public sealed class StatsStreamTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task TheStreamSendsASampleAtOnceThenFollowsTheQueuesDepth(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await rest.PostMessagesAsync("depth", "one");
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var samples = hub.StreamAsync<StatsSampleView>("StreamStats", new StatsArgs(["depth", "missing"], 1))
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await samples.MoveNextAsync().AsTask().Within());
        var first = samples.Current;
        // A queue never created counts as empty, as REST's stats answer.
        Assert.Equal([new QueueDepthView("depth", 1, 0, 1), new QueueDepthView("missing", 0, 0, 0)], first.Queues);
        Assert.Null(first.Rates);

        await rest.PostMessagesAsync("depth", "two", "three");
        await rest.PostAsync("/v2/queues/depth/claims?limit=1", new { ttl = 60, grace = 60 });
        QueueDepthView? later = null;
        while (later is not { Total: 3 })
        {
            Assert.True(await samples.MoveNextAsync().AsTask().Within());
            later = samples.Current.Queues.First(q => q.Name == "depth");
        }
        Assert.Equal(new QueueDepthView("depth", 2, 1, 3), later);
    }

    [Theory, BothProtocols]
    public async Task AnAdminGetsTheNodesMessageRatesCountingItsPosts(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var admin = await server.Factory.ConnectHubAsync(protocol, rest, "&roles=admin");
        await using var samples = admin.StreamAsync<StatsSampleView>("StreamStats", new StatsArgs(Interval: 1))
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await samples.MoveNextAsync().AsTask().Within());
        Assert.NotNull(samples.Current.Rates);

        await rest.PostMessagesAsync("rated", "a", "b");
        // Other tests post on this node too: the rate is at least this test's posts over the sample's interval.
        StatsSampleView sample;
        do
        {
            Assert.True(await samples.MoveNextAsync().AsTask().Within());
            sample = samples.Current;
        }
        while (sample.Rates!.Posted * sample.Interval < 2 - 0.01);
        Assert.Empty(sample.Queues);
    }

    [Theory, BothProtocols]
    public async Task AnIntervalOrAQueueListOutOfBoundsIsRefusedWithZaqarsError(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        var slow = await ZaqarErrorAsync(() => ReadOneAsync(hub, new StatsArgs(Interval: 61)));
        var many = await ZaqarErrorAsync(() => ReadOneAsync(hub, new StatsArgs(Enumerable.Range(0, 21).Select(i => $"q{i}").ToArray())));

        Assert.Equal((400, "Invalid parameter"), (slow.Status, slow.Title));
        Assert.Contains("\"interval\"", slow.Description, StringComparison.Ordinal);
        Assert.Equal((400, "Invalid parameter"), (many.Status, many.Title));
        Assert.Contains("At most 20 queues", many.Description, StringComparison.Ordinal);
        Assert.True(await hub.InvokeAsync<bool>("Ping")); // The connection stays up.
    }

    private static async Task ReadOneAsync(HubClient hub, StatsArgs args)
    {
        await foreach (var _ in hub.StreamAsync<StatsSampleView>("StreamStats", args))
        {
            return;
        }
    }
}
