using System.Threading.Channels;
using Zaqar.Client;
using Zaqar.Hub.Tests.Clients;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Issue 15: a node that stops closes its hub connections so that clients reconnect elsewhere; behind a balancer that
/// moved to the other node, the typed client reconnects there and resumes its subscriptions after the last message it
/// handed out, missing nothing posted while it was away.
/// </summary>
public sealed class ShutdownReconnectTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothClientProtocols]
    public async Task WhenItsNodeStopsASubscriberReconnectsToTheOtherNodeAndMissesNothing(ZaqarProtocol protocol)
    {
        await using var stopping = ServiceNode.Start(server.CreateFactory());
        await using var other = ServiceNode.Start(server.CreateFactory());
        using var rest = other.Rest(TwoNodeTests.NewProject());
        await using var balancer = new CuttableLink(stopping.Address);
        await using var zaqar = await ZaqarHubClient.ConnectAsync(new ZaqarHubClientOptions
        {
            Url = balancer.Address,
            ProjectId = rest.Project,
            ClientId = Guid.Parse(rest.ClientId),
            Protocol = protocol,
            ReconnectDelays = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(100), 600)],
        }, Ct);
        var received = Channel.CreateUnbounded<PushedMessage>();
        await using var subscription = await zaqar.SubscribeAsync("events", m => received.Writer.TryWrite(m), Ct);
        var (away, back) = (NewSignal(), NewSignal());
        zaqar.Reconnecting += _ => Signal(away);
        zaqar.Reconnected += _ => Signal(back);
        var seen = await rest.PostMessagesAsync("events", "seen");
        Assert.Equal(seen[0], (await received.Reader.ReadAsync(Ct).AsTask().Within()).Id);

        // The balancer sends new connections to the other node only once this one is gone, so the posts below happen while
        // the client is away.
        balancer.Refusing = true;
        balancer.Target = other.Address;
        await stopping.DisposeAsync();
        await away.Task.Within();
        var missed = await rest.PostMessagesAsync("events", "missed 1", "missed 2");
        balancer.Refusing = false;
        await back.Task.Within();
        var live = await rest.PostMessagesAsync("events", "live");

        var ids = new List<string>();
        while (ids.Count < missed.Count + live.Count)
        {
            ids.Add((await received.Reader.ReadAsync(Ct).AsTask().Within()).Id);
        }
        Assert.Equal(missed.Concat(live), ids);
        Assert.False(received.Reader.TryRead(out _));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static Task Signal(TaskCompletionSource signal)
    {
        signal.TrySetResult();
        return Task.CompletedTask;
    }
}
