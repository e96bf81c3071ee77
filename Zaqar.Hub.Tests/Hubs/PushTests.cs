using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// Push: subscribers get new messages right after a post commits, whatever the transport that posted. A connection's
/// pushes arrive in posting order, so "nothing else was pushed" is checked by a later post arriving next.
/// </summary>
public sealed class PushTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task PostsOverRestAndTheHubReachSubscribersOfThatQueueOnly(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var poster = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        using var pushes = new PushRecorder(subscriber);
        await subscriber.InvokeAsync("Subscribe", "news");

        var viaRest = new { messages = new[] { new { body = new { via = "rest" }, ttl = 300 } } };
        var restPost = await rest.PostAsync("/v2/queues/news/messages", viaRest);
        var hubPost = await poster.InvokeAsync<Api.PostedView>("PostMessages", "news", new[] { new { body = new { via = "hub" } } });
        await poster.InvokeAsync("PostMessages", "other-queue", new[] { new { body = "not subscribed" } });
        await rest.PostMessagesAsync("news", "last");

        var (queue, first) = await pushes.NextAsync();
        Assert.Equal("news", queue);
        var message = Assert.Single(first);
        Assert.Equal(restPost.Json!["resources"]![0]!.GetValue<string>().Split('/')[^1], message.Id);
        Assert.Equal(("""{"via":"rest"}""", 300, 0L), (message.Body.GetRawText(), message.Ttl, message.Age));
        var second = Assert.Single((await pushes.NextAsync()).Messages);
        Assert.Equal((hubPost.MessageIds[0], """{"via":"hub"}"""), (second.Id, second.Body.GetRawText()));
        Assert.Equal(["\"last\""], await pushes.NextBodiesAsync());
    }

    [Theory, BothProtocols]
    public async Task UnsubscribeStopsPushesOfThatQueue(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);
        await subscriber.InvokeAsync("Subscribe", "a");
        await subscriber.InvokeAsync("Subscribe", "b");

        await subscriber.InvokeAsync("Unsubscribe", "a");
        await rest.PostMessagesAsync("a", "to a");
        await rest.PostMessagesAsync("b", "to b");

        var (queue, messages) = await pushes.NextAsync();
        Assert.Equal(("b", "\"to b\""), (queue, Assert.Single(messages).Body.GetRawText()));
    }

    [Theory, BothProtocols]
    public async Task AnotherProjectsPostsToAQueueOfTheSameNameAreNeverPushed(HubWireProtocol protocol)
    {
        using var mine = server.NewProject();
        using var theirs = server.NewProject();
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, mine);
        using var pushes = new PushRecorder(subscriber);
        await subscriber.InvokeAsync("Subscribe", "same-name");

        await theirs.PostMessagesAsync("same-name", "theirs");
        await mine.PostMessagesAsync("same-name", "mine");

        Assert.Equal(["\"mine\""], await pushes.NextBodiesAsync());
    }

    [Theory, BothProtocols]
    public async Task DelayedMessagesArePushedOnlyOnceTheirDelayHasPassed(HubWireProtocol protocol)
    {
        await using var service = new ClockedService(server);
        using var rest = service.NewProject();
        await using var subscriber = await service.Factory.ConnectHubAsync(protocol, rest);
        using var pushes = new PushRecorder(subscriber);
        await rest.PutAsync("/v2/queues/late", new { _default_message_delay = 30 });
        await subscriber.InvokeAsync("Subscribe", "late");

        await rest.PostMessagesAsync("late", "delayed");
        await rest.PostAsync("/v2/queues/late/messages", new { messages = new[] { new { body = "at once", delay = 0 } } });
        Assert.Equal(["\"at once\""], await pushes.NextBodiesAsync());

        service.Advance(29);
        await rest.PostAsync("/v2/queues/late/messages", new { messages = new[] { new { body = "still early", delay = 0 } } });
        Assert.Equal(["\"still early\""], await pushes.NextBodiesAsync());

        service.Advance(1);
        var delayed = Assert.Single((await pushes.NextAsync()).Messages);
        Assert.Equal(("\"delayed\"", 30L, 30), (delayed.Body.GetRawText(), delayed.Age, delayed.Delay));
    }

    [Theory, BothProtocols]
    public async Task PushesKeepPostingOrderThroughBurstsWithQuietSpellsBetweenThem(HubWireProtocol protocol)
    {
        // Issue 14: a connection's push queue and its pump exist only while pushes wait, so each burst starts them anew.
        using var rest = server.NewProject();
        await using var subscriber = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var poster = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        using var pushes = new PushRecorder(subscriber);
        await subscriber.InvokeAsync("Subscribe", "bursts");

        for (var burst = 0; burst < 3; burst++)
        {
            var posted = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                await poster.InvokeAsync("PostMessages", "bursts", new[] { new { body = $"{burst}-{i}" } });
                posted.Add($"\"{burst}-{i}\"");
            }
            var received = new List<string>();
            while (received.Count < posted.Count)
            {
                received.AddRange(await pushes.NextBodiesAsync());
            }
            Assert.Equal(posted, received);
            Assert.True(pushes.IsEmpty);
        }
    }
}
