using System.Threading.Channels;
using Zaqar.Client;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>The typed client's presence (issue 13): counts, and a watch that keeps a count current across a reconnect.</summary>
public sealed class TypedClientPresenceTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothClientProtocols]
    public async Task AWatchStartsFromASnapshotFollowsJoinsAndLeavesAndTakesANewSnapshotAfterAReconnect(ZaqarProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var link = new CuttableLink(server.Kestrel.BaseUri);
        await using var watcher = await ZaqarHubClient.ConnectAsync(Options(link.Address, rest, protocol), Ct);
        await using var consumer = await ZaqarHubClient.ConnectAsync(Options(server.Kestrel.BaseUri, rest, protocol), Ct);
        await using var first = await consumer.SubscribeAsync("jobs", _ => { }, Ct);
        var updates = Channel.CreateUnbounded<PresenceUpdate>();
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reconnected += _ =>
        {
            back.TrySetResult();
            return Task.CompletedTask;
        };

        await using var watch = await watcher.WatchPresenceAsync("jobs", u =>
        {
            updates.Writer.TryWrite(u);
            return Task.CompletedTask;
        }, Ct);
        var start = await updates.Reader.ReadAsync(Ct).AsTask().Within();
        await using (var second = await ZaqarHubClient.ConnectAsync(Options(server.Kestrel.BaseUri, rest, protocol), Ct))
        {
            await using var subscribed = await second.SubscribeAsync("jobs", _ => { }, Ct);
            var joined = await updates.Reader.ReadAsync(Ct).AsTask().Within();
            Assert.Equal([new PresenceChange("join", rest.ClientId)], joined.Changes);
            Assert.Equal(2, (await watcher.GetPresenceAsync("jobs", Ct)).Connections);
        }
        var left = await updates.Reader.ReadAsync(Ct).AsTask().Within();
        link.Refusing = true;
        link.Cut();
        await using var third = await ZaqarHubClient.ConnectAsync(Options(server.Kestrel.BaseUri, rest, protocol), Ct);
        await using var whileAway = await third.SubscribeAsync("jobs", _ => { }, Ct);
        link.Refusing = false;
        await back.Task.Within();
        var resynced = await updates.Reader.ReadAsync(Ct).AsTask().Within();

        Assert.Equal(1, start.Snapshot!.Connections);
        Assert.Equal([new PresenceClient(rest.ClientId, 1)], start.Snapshot.Clients!);
        Assert.False(left.Changes.Single().Joined);
        Assert.Equal(2, resynced.Snapshot!.Connections);
    }

    private static ZaqarHubClientOptions Options(Uri url, ZaqarClient rest, ZaqarProtocol protocol) => new()
    {
        Url = url,
        ProjectId = rest.Project,
        ClientId = Guid.Parse(rest.ClientId),
        Protocol = protocol,
        ReconnectDelays = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(100), 600)],
    };
}
