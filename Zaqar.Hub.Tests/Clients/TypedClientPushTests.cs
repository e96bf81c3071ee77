using System.Threading.Channels;
using Zaqar.Client;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Clients.TypedClientKit;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The typed client's push (issue 11), under JSON and MessagePack: a handler per subscription, a consume stream whose end
/// releases its claims, and subscriptions made again after the connection is lost and comes back.
/// </summary>
public sealed class TypedClientPushTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothClientProtocols]
    public async Task ASubscriptionHandsEachNewMessageToItsHandlerUntilDisposed(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        var received = Channel.CreateUnbounded<PushedMessage>();

        var subscription = await zaqar.SubscribeAsync("events", m => received.Writer.TryWrite(m), cancellationToken: Ct);
        var ids = await rest.PostMessagesAsync("events", new { n = 1 }, "two");
        var first = await received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within();
        var second = await received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within();
        await subscription.DisposeAsync();
        await zaqar.PostBodyAsync("events", "after", cancellationToken: Ct);
        var control = await zaqar.PingAsync(cancellationToken: Ct); // The post above is done, and would have been pushed before this answer.

        Assert.True(control);
        Assert.Equal(ids, [first.Id, second.Id]);
        Assert.Equal("""{"n":1}""", first.Body.GetRawText());
        Assert.Equal("two", second.BodyAs<string>());
        Assert.False(received.Reader.TryRead(out _), "pushed after the subscription was disposed");
    }

    [Theory, BothClientProtocols]
    public async Task ConsumeYieldsClaimedMessagesAndLeavingItReleasesTheClaimsItHolds(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        await zaqar.PostAsync("jobs", [NewMessage.From("done"), NewMessage.From("not done")], cancellationToken: Ct);

        await foreach (var job in zaqar.ConsumeAsync("jobs", new ConsumeOptions(Ttl: 60, Batch: 2), TestContext.Current.CancellationToken))
        {
            Assert.Equal("done", job.BodyAs<string>());
            await zaqar.DeleteMessageAsync("jobs", job.Id, job.ClaimId, cancellationToken: Ct);
            break; // "not done" was claimed with it; leaving ends the stream, which releases that claim.
        }

        await EventuallyAsync(async () => (await zaqar.GetQueueStatsAsync("jobs")).Messages, m => m.Claimed == 0);
        Assert.Equal(["not done"], (await zaqar.ClaimAsync("jobs", cancellationToken: Ct))!.Messages.Select(m => m.BodyAs<string>()));
    }

    [Theory, BothClientProtocols]
    public async Task CancellingConsumeEndsItAndReleasesItsClaims(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        await zaqar.PostAsync("jobs", [NewMessage.From(1), NewMessage.From(2)], cancellationToken: Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var seen = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var job in zaqar.ConsumeAsync("jobs", new ConsumeOptions(Batch: 2), stop.Token))
            {
                seen.Add(job.BodyAs<int>());
                await stop.CancelAsync();
            }
        });

        Assert.Equal([1], seen);
        await EventuallyAsync(async () => (await zaqar.GetQueueStatsAsync("jobs")).Messages, m => m.Claimed == 0 && m.Free == 2);
    }

    [Theory, BothClientProtocols]
    public async Task AfterALostConnectionComesBackItsSubscriptionsAreMadeAgain(ZaqarProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var link = new CuttableLink(server.Kestrel.BaseUri);
        await using var zaqar = await ConnectTypedAsync(link.Address, protocol, rest);
        var received = Channel.CreateUnbounded<PushedMessage>();
        await using var subscription = await zaqar.SubscribeAsync("events", m => received.Writer.TryWrite(m), Ct);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        zaqar.Reconnected += _ =>
        {
            back.TrySetResult();
            return Task.CompletedTask;
        };
        var before = zaqar.Connection.ConnectionId!;

        link.Cut(); // A network cut: the client reconnects by itself.
        await back.Task.Within();
        var id = (await rest.PostMessagesAsync("events", "after the reconnect"))[0];

        Assert.NotEqual(before, zaqar.Connection.ConnectionId);
        Assert.Equal(id, (await received.Reader.ReadAsync(Ct).AsTask().Within()).Id);
    }

    [Theory, BothClientProtocols]
    public async Task AConsumeStreamGoesOnAfterALostConnectionComesBack(ZaqarProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var link = new CuttableLink(server.Kestrel.BaseUri);
        await using var zaqar = await ConnectTypedAsync(link.Address, protocol, rest);
        await using var jobs = zaqar.ConsumeAsync("jobs", new ConsumeOptions(Batch: 1), Ct).GetAsyncEnumerator(Ct);
        await zaqar.PostBodyAsync("jobs", "first", cancellationToken: Ct);
        Assert.True(await jobs.MoveNextAsync().AsTask().Within());
        await zaqar.DeleteMessageAsync("jobs", jobs.Current.Id, jobs.Current.ClaimId, Ct);

        link.Cut();
        var next = jobs.MoveNextAsync().AsTask();
        await rest.PostMessagesAsync("jobs", "second");

        Assert.True(await next.Within());
        Assert.Equal("second", jobs.Current.BodyAs<string>());
    }
}
