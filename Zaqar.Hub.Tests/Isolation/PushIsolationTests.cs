using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// What reaches a project without it asking (issue #6): pushes to its hub connections (Subscribe, SubscribeTopic,
/// hub-connection subscriptions), consume streams, and its webhook's outbox. Here another project (a fresh one, since
/// it must post) posts to the same names over REST and the hub, on the same node and on another one.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class PushIsolationTests(IsolationWorld world)
{
    [Theory, BothProtocols]
    public async Task SubscribersOfASharedNameGetNothingOfAnotherProjectsPosts(HubWireProtocol protocol)
    {
        using var a = world.NoAuth.NewProjectClient("a-");
        using var other = world.NoAuth.NewProjectClient("b-");
        await using var hub = await world.NoAuth.ConnectHubAsync(protocol, a);
        using var pushes = new Pushes(hub);
        await hub.InvokeAsync("Subscribe", Shared);
        await hub.InvokeAsync("SubscribeTopic", Shared);
        await hub.InvokeAsync<JsonNode>("CreateSubscription", Shared, new { ttl = 120 });
        var subscribed = await a.PostAsync($"/v2/queues/{Shared}/subscriptions", new { subscriber = TenantA.Subscriber });
        var webhook = subscribed.Json!["subscription_id"]!.GetValue<string>();

        await PostEverywhereAsync(world.NoAuth, protocol, other, "B2-");
        await PostEverywhereAsync(world.NoAuth, protocol, a, "A-");

        await pushes.WaitForAsync("A-rest-queue", "A-rest-topic", "A-hub-queue", "A-hub-topic");
        Assert.DoesNotContain(pushes.All, p => p.Contains("B2-", StringComparison.Ordinal));
        // A's webhook has A's two queue messages to deliver, none of the other project's.
        var delivery = (await a.GetAsync($"/v2/queues/{Shared}/subscriptions/{webhook}")).Json!["delivery"]!;
        Assert.Equal(2, delivery["pending"]!.GetValue<int>());
    }

    [Theory, BothProtocols]
    public async Task PostsMadeOnAnotherNodeArePushedOnlyToTheirProject(HubWireProtocol protocol)
    {
        using var a = world.NoAuth.NewProjectClient("a-");
        await using var hub = await world.NoAuth.ConnectHubAsync(protocol, a);
        using var pushes = new Pushes(hub);
        await hub.InvokeAsync("Subscribe", Shared);
        await hub.InvokeAsync("SubscribeTopic", Shared);
        using var aElsewhere = new ZaqarClient(world.Server.Factory.CreateClient(), a.Project, Guid.NewGuid().ToString());
        using var other = world.Server.Factory.NewProjectClient("b-");

        await PostEverywhereAsync(world.Server.Factory, protocol, other, "B2-");
        await aElsewhere.PostMessagesAsync(Shared, "A-first");
        await pushes.WaitForAsync("A-first");
        // A second round: whatever of the other project's posts was on its way has arrived by now.
        await PostEverywhereAsync(world.Server.Factory, protocol, other, "B2-again-");
        await aElsewhere.PostMessagesAsync(Shared, "A-second");
        await pushes.WaitForAsync("A-second");

        Assert.DoesNotContain(pushes.All, p => p.Contains("B2-", StringComparison.Ordinal));
    }

    [Theory, BothProtocols]
    public async Task AConsumeStreamNeverYieldsAnotherProjectsMessages(HubWireProtocol protocol)
    {
        using var a = world.NoAuth.NewProjectClient("a-");
        using var other = world.NoAuth.NewProjectClient("b-");
        await using var hub = await world.NoAuth.ConnectHubAsync(protocol, a);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(HubTestKit.Timeout);
        await using var stream = hub.StreamCoreAsync<JsonNode>("Consume", [Shared, new { ttl = 60, batch = 1 }], timeout.Token)
            .GetAsyncEnumerator(timeout.Token);
        var first = stream.MoveNextAsync().AsTask();

        await PostEverywhereAsync(world.NoAuth, protocol, other, "B2-");
        var mine = await a.PostMessagesAsync(Shared, "A-consumed");

        Assert.True(await first.Within());
        Assert.Equal(mine[0], stream.Current["id"]!.GetValue<string>());
        Assert.Equal("\"A-consumed\"", stream.Current["body"]!.ToJsonString());
        var stats = (await other.GetAsync($"/v2/queues/{Shared}/stats")).Json!["messages"]!;
        Assert.Equal((0, 2), (stats["claimed"]!.GetValue<int>(), stats["free"]!.GetValue<int>()));
    }

    [Theory, BothProtocols]
    public async Task AnotherProjectsUnsubscribesDeletesAndPurgesNeverEndAProjectsPushes(HubWireProtocol protocol)
    {
        using var b = world.NoAuth.NewProjectClient("b-");
        await using var subscriber = await world.NoAuth.ConnectHubAsync(protocol, b);
        using var pushes = new Pushes(subscriber);
        await subscriber.InvokeAsync("Subscribe", Shared);
        await subscriber.InvokeAsync("SubscribeTopic", Shared);
        var bSubscription = (await subscriber.InvokeAsync<JsonNode>("CreateSubscription", Shared, new { ttl = 120 }))
            ["subscription_id"]!.GetValue<string>();

        using (var a = world.NoAuth.NewProjectClient("a-"))
        {
            await using var hub = await world.NoAuth.ConnectHubAsync(protocol, a);
            await hub.InvokeAsync("Subscribe", Shared);
            await hub.InvokeAsync("Unsubscribe", Shared);
            await hub.InvokeAsync("SubscribeTopic", Shared);
            await hub.InvokeAsync("UnsubscribeTopic", Shared);
            var own = (await hub.InvokeAsync<JsonNode>("CreateSubscription", Shared, null))["subscription_id"]!.GetValue<string>();
            await hub.InvokeAsync("DeleteSubscription", Shared, own);
            await hub.InvokeAsync("DeleteSubscription", Shared, bSubscription);
            await hub.InvokeAsync("PurgeQueue", Shared, null);
            await hub.InvokeAsync("DeleteQueue", Shared);
            await hub.InvokeAsync("PurgeTopic", Shared, null);
            await hub.InvokeAsync("DeleteTopic", Shared);
            await hub.InvokeAsync("Subscribe", Shared); // and ends with its connection, below
        }
        using var bElsewhere = new ZaqarClient(world.Server.Factory.CreateClient(), b.Project, Guid.NewGuid().ToString());
        await b.PostMessagesAsync(Shared, "B-local");
        await bElsewhere.PostMessagesAsync(Shared, "B-remote");
        await PostAsync(bElsewhere, "topics", "B-topic");

        await pushes.WaitForAsync("B-local", "B-remote", "B-topic");
        Assert.Contains(bSubscription, (await b.GetAsync($"/v2/queues/{Shared}/subscriptions")).Ids("subscriptions"));
    }

    [Fact]
    public async Task ConcurrentPostsOfTwoProjectsToOneNameStayApart()
    {
        using var a = world.NoAuth.NewProjectClient("a-");
        using var other = world.NoAuth.NewProjectClient("b-");

        // Concurrent posts to one queue share statements (PostCombiner); each project's must land in its own queue.
        var posts = Enumerable.Range(0, 20)
            .SelectMany(i => new[] { a.PostMessagesAsync(Shared, $"A-{i}"), other.PostMessagesAsync(Shared, $"B2-{i}") })
            .ToList();
        var ids = await Task.WhenAll(posts);

        foreach (var (client, own) in new[] { (a, ids.Where((_, i) => i % 2 == 0)), (other, ids.Where((_, i) => i % 2 == 1)) })
        {
            var listed = new List<string>();
            for (string? marker = null; ;)
            {
                var after = marker is null ? string.Empty : "&marker=" + marker;
                var page = await client.GetAsync($"/v2/queues/{Shared}/messages?echo=true&limit=20{after}");
                var pageIds = page.Ids();
                if (pageIds.Count == 0)
                {
                    break;
                }
                listed.AddRange(pageIds);
                marker = pageIds[^1];
            }
            Assert.Equal(own.SelectMany(x => x).Order(), listed.Order());
        }
    }

    /// <summary>Posts to the shared queue and topic, over REST and over a hub connection of the same project.</summary>
    private static async Task PostEverywhereAsync(ZaqarFactory host, HubWireProtocol protocol, ZaqarClient client, string prefix)
    {
        await PostAsync(client, "queues", prefix + "rest-queue");
        await PostAsync(client, "topics", prefix + "rest-topic");
        await using var hub = await host.ConnectHubAsync(protocol, client);
        await hub.InvokeAsync("PostMessages", Shared, new[] { new { body = prefix + "hub-queue" } });
        await hub.InvokeAsync("PostTopicMessages", Shared, new[] { new { body = prefix + "hub-topic" } });
    }

    /// <summary>Posts one message to the shared queue or topic over REST.</summary>
    private static async Task PostAsync(ZaqarClient client, string collection, string body)
    {
        var posted = await client.PostAsync($"/v2/{collection}/{Shared}/messages", new { messages = new[] { new { body } } });
        Assert.Equal(HttpStatusCode.Created, posted.Status);
    }

    /// <summary>Everything pushed to one connection, queue and topic alike, as text.</summary>
    private sealed class Pushes : IDisposable
    {
        private readonly List<string> _all = [];
        private readonly IDisposable[] _registrations;

        public Pushes(HubClient hub)
        {
            _registrations = [.. new[] { "Messages", "TopicMessages" }.Select(target =>
                hub.On<string, JsonNode>(target, (name, messages) =>
                {
                    lock (_all)
                    {
                        _all.Add($"{target}({name}): {messages.ToJsonString()}");
                    }
                }))];
        }

        public IReadOnlyList<string> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public async Task WaitForAsync(params string[] bodies)
        {
            var deadline = DateTime.UtcNow + HubTestKit.Timeout;
            while (!bodies.All(b => All.Any(p => p.Contains(b, StringComparison.Ordinal))))
            {
                Assert.True(DateTime.UtcNow < deadline, $"not all of {string.Join(", ", bodies)} were pushed: {string.Join("; ", All)}");
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }
    }
}
