using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Presence;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Presence across nodes (issue 13): every node counts the connections of every node, watchers on one node see joins and
/// leaves on the other, and a node that dies without a word stops counting within the node timeout, its connections
/// announced as left.
/// </summary>
public sealed class PresenceTwoNodeTests(DefaultNodePair nodes, ZaqarTestServer server) : IClassFixture<DefaultNodePair>
{
    [Theory, BothProtocols]
    public async Task EachNodeCountsTheSubscribersOfBothAndAWatcherSeesTheOtherNodesJoinsAndLeaves(HubWireProtocol protocol)
    {
        var (a, b) = (nodes.A, nodes.B);
        var project = TwoNodeTests.NewProject();
        using var restA = a.Rest(project);
        using var restB = b.Rest(project);
        await using var watcher = await ConnectHubAsync(new Uri(a.Address, HubPath(restA)), protocol);
        using var events = new PresenceRecorder(watcher);
        await using var onA = await ConnectHubAsync(new Uri(a.Address, HubPath(restA)), protocol);
        await onA.InvokeAsync("Subscribe", "orders");

        await watcher.InvokeAsync<PresenceView>("SubscribePresence", "orders");
        var onB = await ConnectHubAsync(new Uri(b.Address, HubPath(restB)), protocol);
        await onB.InvokeAsync("Subscribe", "orders");
        var countedOnA = await restA.GetAsync("/v2/queues/orders/presence");
        var countedOnB = await onB.InvokeAsync<PresenceView>("GetPresence", "orders");
        await onB.DisposeAsync();

        Assert.Equal(2, countedOnA.Json!["connections"]!.GetValue<int>());
        Assert.Equal(2, countedOnB.Connections);
        Assert.Equal(
            [("orders", PresenceEventView.Join, restB.ClientId), ("orders", PresenceEventView.Leave, restB.ClientId)],
            await events.NextAsync(2));
        Assert.Equal(1, (await restB.GetAsync("/v2/queues/orders/presence")).Json!["connections"]!.GetValue<int>());
    }

    [Fact]
    public async Task ANodeKilledWithoutAWordStopsCountingWithinTheNodeTimeoutAndItsConnectionsAreAnnouncedAsLeft()
    {
        var settings = new Dictionary<string, string?> { ["Presence:HeartbeatSeconds"] = "1", ["Presence:NodeTimeoutSeconds"] = "3" };
        await using var survivor = ServiceNode.Start(server.CreateFactory(settings));
        await using var doomed = await ServiceProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Zaqar"] = server.Database.ConnectionString,
            ["Storage__SweepEnabled"] = "false",
            ["Notifications__DispatcherEnabled"] = "false",
            ["Presence__HeartbeatSeconds"] = "1",
            ["Presence__NodeTimeoutSeconds"] = "3",
        });
        var project = TwoNodeTests.NewProject();
        using var rest = survivor.Rest(project);
        using var doomedRest = doomed.Rest(project);
        await using var watcher = await ConnectHubAsync(new Uri(survivor.Address, HubPath(rest)), HubWireProtocol.MessagePack);
        using var events = new PresenceRecorder(watcher);
        await watcher.InvokeAsync<PresenceView>("SubscribePresence", "orders");
        var subscribers = new List<HubClient>();
        for (var i = 0; i < 3; i++)
        {
            var subscriber = await ConnectHubAsync(new Uri(doomed.Address, HubPath(doomedRest)), HubWireProtocol.Json);
            await subscriber.InvokeAsync("Subscribe", "orders");
            subscribers.Add(subscriber);
        }
        var joins = await events.NextAsync(3);
        Assert.Equal(3, await CountAsync(rest));

        doomed.Kill();

        // The bound under test is the node timeout (3 s) plus a heartbeat; the wait allows for a slow machine.
        var leaves = await events.NextAsync(3, TimeSpan.FromSeconds(60));
        Assert.Equal(0, await CountAsync(rest));
        Assert.All(joins, e => Assert.Equal(("orders", PresenceEventView.Join, doomedRest.ClientId), e));
        Assert.All(leaves, e => Assert.Equal(("orders", PresenceEventView.Leave, doomedRest.ClientId), e));
        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }

    private static async Task<int> CountAsync(ZaqarClient rest) =>
        (await rest.GetAsync("/v2/queues/orders/presence")).Json!["connections"]!.GetValue<int>();
}
