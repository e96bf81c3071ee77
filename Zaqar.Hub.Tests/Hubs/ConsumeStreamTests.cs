using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// The consume stream, on a service with a manual clock: its poll timer never fires by itself, so a stream that yields
/// what was posted after it started did not wait for a poll.
/// </summary>
public sealed class ConsumeStreamTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task AWaitingStreamIsWokenByAPostAndYieldsClaimedMessagesWithTheirClaimIds(HubWireProtocol protocol)
    {
        await using var service = new ClockedService(server);
        using var rest = service.NewProject();
        await using var consumer = await service.Factory.ConnectHubAsync(protocol, rest);
        await using var items = consumer.StreamAsync<ConsumedMessageView>("Consume", "work", new ConsumeArgs(Ttl: 60, Grace: 60, Batch: 5))
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var first = items.MoveNextAsync().AsTask();
        Assert.True(await consumer.InvokeAsync<bool>("Ping")); // Other calls are served while the stream waits.
        Assert.False(first.IsCompleted);

        var ids = await rest.PostMessagesAsync("work", "first", "second");

        Assert.True(await first.Within());
        var one = items.Current;
        Assert.True(await items.MoveNextAsync().AsTask().Within());
        var two = items.Current;
        Assert.Equal([(ids[0], "\"first\""), (ids[1], "\"second\"")], [(one.Id, one.Body.GetRawText()), (two.Id, two.Body.GetRawText())]);
        Assert.Equal(one.ClaimId, two.ClaimId);
        Assert.Equal($"/v2/queues/work/messages/{one.Id}?claim_id={one.ClaimId}", one.Href);
        var claim = (await rest.GetAsync($"/v2/queues/work/claims/{one.ClaimId}")).Json!;
        Assert.Equal(60, claim["ttl"]!.GetValue<int>());
        Assert.Equal(2, claim["messages"]!.AsArray().Count);
    }

    [Theory, BothProtocols]
    public async Task CancellingTheStreamReleasesTheClaimsItStillHolds(HubWireProtocol protocol)
    {
        await using var service = new ClockedService(server);
        using var rest = service.NewProject();
        await using var consumer = await service.Factory.ConnectHubAsync(protocol, rest);
        await rest.PostMessagesAsync("work", "done", "not done");
        var items = consumer.StreamAsync<ConsumedMessageView>("Consume", "work", new ConsumeArgs(Ttl: 60, Batch: 2))
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await items.MoveNextAsync().AsTask().Within());
        var done = items.Current;
        await consumer.InvokeAsync("DeleteMessage", "work", done.Id, done.ClaimId);
        Assert.Equal(1, (await rest.GetAsync("/v2/queues/work/stats")).Json!["messages"]!["claimed"]!.GetValue<int>());

        // Disposing sends CancelInvocation and returns (the official client does not wait for the end of the stream); the
        // server ends the stream and releases its claims.
        await items.DisposeAsync().AsTask().Within();

        await EventuallyAsync(
            async () => (await rest.GetAsync("/v2/queues/work/stats")).Json!["messages"]!["claimed"]!.GetValue<int>(), claimed => claimed == 0);
        var again = await consumer.InvokeAsync<ClaimCreatedView>("CreateClaim", "work", null);
        Assert.Equal(["\"not done\""], again.Messages.Select(m => m.Body.GetRawText()));
        Assert.True(await consumer.InvokeAsync<bool>("Ping"), "the connection serves on after the stream ended");
    }

    [Theory, BothProtocols]
    public async Task AStreamOnAnInvalidQueueEndsWithTheZaqarError(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var consumer = await server.Factory.ConnectHubAsync(protocol, rest);

        var failure = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in consumer.StreamAsync<ConsumedMessageView>("Consume", "bad~name", null))
            {
            }
        });

        Assert.Equal((400, "Invalid queue identification"), (failure.ZaqarError?.Status, failure.ZaqarError?.Title));
    }
}
