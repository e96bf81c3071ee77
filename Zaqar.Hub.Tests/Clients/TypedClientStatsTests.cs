using Zaqar.Client;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>The typed client's live stats stream (issue 15 item 6's leftover): what the console's charts get, for .NET callers.</summary>
public sealed class TypedClientStatsTests(ZaqarTestServer server)
{
    [Theory, BothClientProtocols]
    public async Task StreamStatsYieldsASampleAtOnceThenFollowsTheDepthOfTheQueuesAskedFor(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await rest.PostMessagesAsync("charted", "one");
        await using var client = await server.Factory.ConnectTypedAsync(protocol, rest);
        await using var samples = client.StreamStatsAsync(new StatsStreamOptions(["charted", "never-made"], 1), TestContext.Current.CancellationToken)
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await samples.MoveNextAsync().AsTask().Within());
        Assert.Equal([new QueueDepth("charted", 1, 0, 1), new QueueDepth("never-made", 0, 0, 0)], samples.Current.Queues);
        Assert.Null(samples.Current.Rates);

        await client.PostAsync("charted", [NewMessage.From(new { n = 2 }), NewMessage.From(new { n = 3 })], TestContext.Current.CancellationToken);
        await client.ClaimAsync("charted", new ClaimOptions(60, 60, 1), TestContext.Current.CancellationToken);
        QueueDepth? later = null;
        while (later is not { Total: 3, Claimed: 1 })
        {
            Assert.True(await samples.MoveNextAsync().AsTask().Within());
            later = samples.Current.Queues[0];
        }
        Assert.Equal(new QueueDepth("charted", 2, 1, 3), later);
        // The first sample is sent at once and covers no time; the others cover about the interval asked for.
        Assert.InRange(samples.Current.Interval, 0.5, 30);
    }

    [Fact]
    public async Task StreamStatsRefusesMoreQueuesThanItFollowsWithZaqarsError()
    {
        using var rest = server.NewProject();
        await using var client = await server.Factory.ConnectTypedAsync(ZaqarProtocol.MessagePack, rest);

        var refused = await Assert.ThrowsAsync<ZaqarException>(async () =>
        {
            await foreach (var _ in client.StreamStatsAsync(new StatsStreamOptions([.. Enumerable.Range(0, 21).Select(i => $"q{i}")]), TestContext.Current.CancellationToken))
            {
            }
        });
        Assert.Equal(400, refused.Status);
    }
}
