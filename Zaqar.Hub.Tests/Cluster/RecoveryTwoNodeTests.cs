using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Recovery across nodes (issue 13): a subscriber that was on one node and comes back on the other, after posts on
/// both, gets exactly what it missed, then the live stream, which includes posts made on the node it left.
/// </summary>
public sealed class RecoveryTwoNodeTests(DefaultNodePair nodes) : IClassFixture<DefaultNodePair>
{
    [Theory, BothProtocols]
    public async Task ASubscriberThatComesBackOnTheOtherNodeGetsExactlyWhatItMissedThenTheLiveStream(HubWireProtocol protocol)
    {
        var (a, b) = (nodes.A, nodes.B);
        var project = TwoNodeTests.NewProject();
        using var restA = a.Rest(project);
        using var restB = b.Rest(project);
        string lastSeen;
        await using (var first = await ConnectHubAsync(new Uri(a.Address, HubPath(restA)), protocol))
        {
            using var pushes = new PushRecorder(first);
            await first.InvokeAsync("Subscribe", "orders");
            var before = await restA.PostMessagesAsync("orders", "before 1", "before 2");
            lastSeen = (await RecoveryTests.ReceiveAsync(pushes, 2))[^1].Id;
            Assert.Equal(before[^1], lastSeen);
        }
        // Away: posts on both nodes.
        var missed = new List<string>();
        missed.AddRange(await restA.PostMessagesAsync("orders", "missed on a 1", "missed on a 2"));
        missed.AddRange(await restB.PostMessagesAsync("orders", "missed on b"));
        missed.AddRange(await restA.PostMessagesAsync("orders", "missed on a 3"));

        await using var back = await ConnectHubAsync(new Uri(b.Address, HubPath(restB)), protocol);
        using var resumed = new PushRecorder(back);
        var result = await back.InvokeAsync<SubscribedView>("SubscribeSince", "orders", new { since = lastSeen });
        var liveFromA = await restA.PostMessagesAsync("orders", "live on a");
        var liveFromB = await restB.PostMessagesAsync("orders", "live on b");

        Assert.False(result.MessagesExpired);
        var received = (await RecoveryTests.ReceiveAsync(resumed, missed.Count + 2)).Select(m => m.Id).ToList();
        Assert.Equal(missed, received.Take(missed.Count));
        Assert.Equal(liveFromA.Concat(liveFromB).Order(), received.Skip(missed.Count).Order());
    }
}
