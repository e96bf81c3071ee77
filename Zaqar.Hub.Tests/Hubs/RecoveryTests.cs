using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// Recovery (issue 13): SubscribeSince(queue, {since}) first sends every message after the one the client saw last, in
/// position order, then the live ones, none missed and none twice at the seam.
/// </summary>
public sealed class RecoveryTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task AResumingSubscriberGetsExactlyTheMessagesItMissedInOrderThenTheLiveOnes(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        var seen = await rest.PostMessagesAsync("feed", "seen 1", "seen 2");
        var missed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            missed.AddRange(await rest.PostMessagesAsync("feed", $"missed {i}"));
        }
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);

        var result = await subscriber.InvokeAsync<SubscribedView>("SubscribeSince", "feed", new { since = seen[^1] });
        var live = await rest.PostMessagesAsync("feed", "live");

        Assert.False(result.MessagesExpired);
        var received = await ReceiveAsync(pushes, missed.Count + 1);
        Assert.Equal(missed.Concat(live), received.Select(m => m.Id));
        Assert.Equal(["\"missed 0\"", "\"live\""], [received[0].Body.GetRawText(), received[^1].Body.GetRawText()]);
        Assert.True(pushes.IsEmpty);
    }

    [Theory, BothProtocols]
    public async Task ABacklogOfManyPagesWithAFloodOfPostsDuringTheSeamArrivesWithNoGapAndNoDuplicate(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        var since = (await rest.PostMessagesAsync("flood", "seen"))[0];
        var backlog = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            backlog.AddRange(await rest.PostMessagesAsync("flood", Enumerable.Range(0, 10).Select(j => (object)$"backlog {i}.{j}").ToArray()));
        }
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);

        // Two posters keep posting while the backlog (more than two pages) is read and sent.
        async Task<List<string>> PostAsync(string who)
        {
            var ids = new List<string>();
            for (var i = 0; i < 30; i++)
            {
                ids.AddRange(await rest.PostMessagesAsync("flood", $"{who} {i}", $"{who} {i}b"));
            }
            return ids;
        }
        var posters = new[] { PostAsync("x"), PostAsync("y") };
        await subscriber.InvokeAsync<SubscribedView>("SubscribeSince", "flood", new { since });
        var concurrent = (await Task.WhenAll(posters).Within()).ToArray();
        var end = await rest.PostMessagesAsync("flood", "end");

        var received = (await ReceiveAsync(pushes, backlog.Count + concurrent.Sum(c => c.Count) + 1)).Select(m => m.Id).ToList();
        Assert.Equal(received.Count, received.Distinct().Count());
        Assert.Equal(backlog.Concat(concurrent.SelectMany(c => c)).Concat(end).Order(), received.Order());
        Assert.Equal(backlog, received.Take(backlog.Count));
        foreach (var poster in concurrent)
        {
            Assert.Equal(poster, received.Where(poster.Contains)); // Each poster's messages in the order posted.
        }
        Assert.Equal(end[0], received[^1]);
    }

    [Theory, BothProtocols]
    public async Task ASinceOlderThanWhatTheQueueStillHoldsGetsWhatIsLeftAndSaysMessagesExpired(HubWireProtocol protocol)
    {
        await using var service = new ClockedService(server);
        using var rest = service.NewProject();
        var since = (await rest.PostMessagesAsync("short", "seen"))[0];
        await rest.PostAsync("/v2/queues/short/messages", new { messages = new[] { new { body = "expires", ttl = 60 } } });
        var kept = await rest.PostAsync("/v2/queues/short/messages", new { messages = new[] { new { body = "kept", ttl = 3600 } } });
        service.Advance(61);
        await using var subscriber = await service.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);

        var result = await subscriber.InvokeAsync<SubscribedView>("SubscribeSince", "short", new { since });

        Assert.True(result.MessagesExpired);
        var message = Assert.Single((await pushes.NextAsync()).Messages);
        Assert.Equal((kept.Json!["resources"]![0]!.GetValue<string>().Split('/')[^1], "\"kept\""), (message.Id, message.Body.GetRawText()));
    }

    [Theory, BothProtocols]
    public async Task AMalformedOrForeignSinceIsRefusedAsABadMarkerIs(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        var own = await rest.PostMessagesAsync("mine", "one");
        var other = await rest.PostMessagesAsync("other", "a", "b", "c");
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);

        var malformed = await ZaqarErrorAsync(() => subscriber.InvokeAsync("SubscribeSince", "mine", new { since = "not-an-id" }));
        var foreign = await ZaqarErrorAsync(() => subscriber.InvokeAsync("SubscribeSince", "mine", new { since = other[^1] }));

        Assert.Equal((400, "Invalid parameter"), (malformed.Status, malformed.Title));
        Assert.Contains("since", malformed.Description);
        Assert.Equal(400, foreign.Status);
        Assert.Contains("since", foreign.Description);
        // Refused, the connection stays usable and is not subscribed; without since it is the plain Subscribe.
        using var pushes = new PushRecorder(subscriber);
        Assert.False((await subscriber.InvokeAsync<SubscribedView>("SubscribeSince", "mine", null)).MessagesExpired);
        var next = await rest.PostMessagesAsync("mine", "two");
        Assert.Equal(next, (await pushes.NextAsync()).Messages.Select(m => m.Id));
        Assert.NotEqual(own, next);
    }

    [Theory, BothProtocols]
    public async Task AfterResumingTheLiveStreamGoesOnWhenTheQueueIsDeletedAndMadeAgain(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        var since = (await rest.PostMessagesAsync("reborn", "seen"))[0];
        var missed = await rest.PostMessagesAsync("reborn", "missed 1", "missed 2", "missed 3");
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);
        await subscriber.InvokeAsync<SubscribedView>("SubscribeSince", "reborn", new { since });
        var live = await rest.PostMessagesAsync("reborn", "live");
        Assert.Equal(missed.Concat(live), (await ReceiveAsync(pushes, 4)).Select(m => m.Id));

        await rest.DeleteAsync("/v2/queues/reborn");
        // The new queue's positions start again at 1, below what the backlog covered: they are new messages all the same.
        var again = await rest.PostMessagesAsync("reborn", "again 1", "again 2");

        Assert.Equal(again, (await ReceiveAsync(pushes, 2)).Select(m => m.Id));
    }

    /// <summary>Reads pushes of any queue until <paramref name="count"/> messages came; fails on more in the last push.</summary>
    internal static async Task<List<PushedMessageView>> ReceiveAsync(PushRecorder pushes, int count)
    {
        var received = new List<PushedMessageView>();
        while (received.Count < count)
        {
            received.AddRange((await pushes.NextAsync()).Messages);
        }
        Assert.Equal(count, received.Count);
        return received;
    }
}
