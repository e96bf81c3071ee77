using System.Net;
using Zaqar.Hub.Tests.Rest;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>The hub matrix's subscription, service, push and topic methods.</summary>
internal static partial class HubMatrix
{
    /// <summary>B's hub-connection subscription where B has one, else B's webhook subscription of the shared queue.</summary>
    private static string HubOrQueueSubscription(TenantB b) => b.HubSubscriptionId ?? b.QueueSubscriptionId;

    private static IEnumerable<HubCase> Subscriptions() =>
    [
        Case("CreateSubscription", "B's subscriber, and the connection itself, on the shared name: A's own", async r =>
        {
            var webhook = (await r.CallAsync("CreateSubscription", Shared, new { subscriber = r.B.Subscriber }))!
                ["subscription_id"]!.GetValue<string>();
            var connection = (await r.CallAsync("CreateSubscription", Shared, new { ttl = 120 }))!["subscription_id"]!.GetValue<string>();
            Assert.Empty(r.B.Ids.Intersect([webhook, connection]));
            Assert.Equal(new[] { r.A.SubscriptionId, webhook, connection }.Order(),
                Ids(await r.CallAsync("ListSubscriptions", Shared, new { limit = 20 }), "subscriptions").Order());
        }),
        Case("ListSubscriptions", "the shared name: only A's", async r =>
            Assert.Equal([r.A.SubscriptionId], Ids(await r.CallAsync("ListSubscriptions", Shared, null), "subscriptions"))),
        Case("ListSubscriptions", "B's subscription id as marker", async r =>
            Assert.Subset(new HashSet<string> { r.A.SubscriptionId },
                Ids(await r.CallAsync("ListSubscriptions", Shared, new { marker = r.B.QueueSubscriptionId }), "subscriptions")
                    .ToHashSet())),
        Case("GetSubscription", "B's webhook and hub-connection subscriptions", async r =>
        {
            await r.ErrorAsync(HttpStatusCode.NotFound, "GetSubscription", Shared, r.B.QueueSubscriptionId);
            await r.ErrorAsync(HttpStatusCode.NotFound, "GetSubscription", Shared, HubOrQueueSubscription(r.B));
        }),
        Case("UpdateSubscription", "B's subscription", r =>
            r.ErrorAsync(HttpStatusCode.NotFound, "UpdateSubscription", Shared, r.B.QueueSubscriptionId,
                new { ttl = 7200, subscriber = TenantA.Subscriber + "2" })),
        Case("DeleteSubscription", "B's webhook and hub-connection subscriptions", async r =>
        {
            await r.CallAsync("DeleteSubscription", Shared, r.B.QueueSubscriptionId);
            await r.CallAsync("DeleteSubscription", Shared, HubOrQueueSubscription(r.B));
        }),
        Case("ConfirmSubscription", "B's subscription", r =>
            r.ErrorAsync(HttpStatusCode.NotFound, "ConfirmSubscription", Shared, r.B.QueueSubscriptionId, new { confirmed = true })),
    ];

    private static IEnumerable<HubCase> Service() =>
    [
        Case("Ping", "ping", async r => Assert.True((await r.CallAsync("Ping"))!.GetValue<bool>())),
        Case("Health", "health as an admin of A",
            async r => Assert.True((await r.CallAsync("Health"))!["storage_reachable"]!.GetValue<bool>())),
        Case("Subscribe", "the shared name: A's own posts only", async r =>
        {
            await r.CallAsync("Subscribe", Shared);
            await r.A.Client.PostMessagesAsync(Shared, "A-pushed");
            await WaitForPushAsync(r, "A-pushed");
        }),
        Case("Unsubscribe", "the shared name", async r =>
        {
            await r.CallAsync("Subscribe", Shared);
            await r.CallAsync("Unsubscribe", Shared);
            await r.CallAsync("Unsubscribe", r.B.OnlyQueue);
        }),
        Case("SubscribeSince", "B's message id as since: A's own messages only (issue 13)", async r =>
        {
            await r.CallAsync("SubscribeSince", Shared, new { since = r.B.MessageIds[0] });
            await r.A.Client.PostMessagesAsync(Shared, "A-resumed");
            await WaitForPushAsync(r, "A-resumed");
        }),
        Case("SubscribeTopicSince", "B's topic message id as since: A's own messages only (issue 13)", async r =>
        {
            await r.CallAsync("SubscribeTopicSince", Shared, new { since = r.B.TopicMessageIds[0] });
            await r.A.Client.PostAsync($"/v2/topics/{Shared}/messages", new { messages = new[] { new { body = "A-topic-resumed" } } });
            await WaitForPushAsync(r, "A-topic-resumed");
        }),
        Case("Consume", "the shared name: only A's free messages", async r =>
            Assert.Equal(r.A.FreeIds,
                (await r.StreamAsync(2, "Consume", Shared, new { ttl = 60, batch = 5 })).Select(m => m["id"]!.GetValue<string>()))),
        Case("StreamStats", "the shared name and B's only queue: A's own counts (issue 15 item 6)", async r =>
        {
            var sample = (await r.StreamAsync(1, "StreamStats", new { queues = new[] { Shared, r.B.OnlyQueue }, interval = 1 })).Single();
            var depths = sample["queues"]!.AsArray().ToDictionary(q => q!["name"]!.GetValue<string>(), q => q!["total"]!.GetValue<long>());
            Assert.Equal(new Dictionary<string, long> { [Shared] = r.A.MessageIds.Count, [r.B.OnlyQueue] = 0 }, depths);
        }),
        Case("SubscribeTopic", "the shared name: A's own posts only", async r =>
        {
            await r.CallAsync("SubscribeTopic", Shared);
            await r.A.Client.PostAsync($"/v2/topics/{Shared}/messages", new { messages = new[] { new { body = "A-topic-pushed" } } });
            await WaitForPushAsync(r, "A-topic-pushed");
        }),
        Case("UnsubscribeTopic", "the shared name", async r =>
        {
            await r.CallAsync("SubscribeTopic", Shared);
            await r.CallAsync("UnsubscribeTopic", Shared);
        }),
    ];

    private static async Task WaitForPushAsync(HubRun r, string body)
    {
        var deadline = DateTime.UtcNow + Hubs.HubTestKit.Timeout;
        while (!r.Pushes.Any(p => p.Contains(body, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"A's own post {body} was not pushed to A");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static IEnumerable<HubCase> Topics() =>
    [
        Case("CreateTopic", "a name only B has (as a queue) is new to A", async r =>
            Assert.True((await r.CallAsync("CreateTopic", r.B.OnlyQueue, null))!["created"]!.GetValue<bool>())),
        Case("ListTopics", "detailed, with count: only A's", async r =>
        {
            var page = await r.CallAsync("ListTopics", new { detailed = true, with_count = true });
            Assert.Equal([Shared], page!["topics"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
            Assert.Equal(1, page["count"]!.GetValue<int>());
        }),
        Case("GetTopic", "the shared name: A's metadata", async r =>
            Assert.Equal("a-value", (await r.CallAsync("GetTopic", Shared))!["a_topic_key"]!.GetValue<string>())),
        Case("DeleteTopic", "the shared name", async r =>
        {
            await r.CallAsync("DeleteTopic", Shared);
            Assert.Equal(0, (await r.CallAsync("GetTopicStats", Shared))!["messages"]!["total"]!.GetValue<int>());
        }),
        Case("GetTopicStats", "the shared name: A's counts", async r =>
            Assert.Equal(2, (await r.CallAsync("GetTopicStats", Shared))!["messages"]!["total"]!.GetValue<int>())),
        Case("UpdateTopicMetadata", "removing B's key on the shared name", r =>
            r.ErrorAsync(HttpStatusCode.Conflict, "UpdateTopicMetadata", Shared,
                new[] { new { op = "remove", path = "/metadata/" + r.B.TopicMetadataKey } })),
        Case("PurgeTopic", "the shared name", async r =>
        {
            await r.CallAsync("PurgeTopic", Shared, new[] { "messages", "subscriptions" });
            Assert.Equal(0, (await r.CallAsync("GetTopicStats", Shared))!["messages"]!["total"]!.GetValue<int>());
        }),
        Case("PostTopicMessages", "to the shared name: A's topic only", async r =>
        {
            await r.CallAsync("PostTopicMessages", Shared, new[] { new { body = "A-T3" } });
            Assert.Equal(3, (await r.CallAsync("GetTopicStats", Shared))!["messages"]!["total"]!.GetValue<int>());
        }),
        Case("ListTopicMessages", "everything listable, and B's id as marker: only A's", async r =>
        {
            Assert.Equal(r.A.TopicMessageIds,
                Ids(await r.CallAsync("ListTopicMessages", Shared, new { echo = true, include_delayed = true })));
            Assert.Subset(r.A.TopicMessageIds.ToHashSet(),
                Ids(await r.CallAsync("ListTopicMessages", Shared, new { echo = true, marker = r.B.TopicMessageIds[0] })).ToHashSet());
        }),
        Case("GetTopicMessage", "B's message id",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "GetTopicMessage", Shared, r.B.TopicMessageIds[0])),
        Case("GetTopicMessages", "B's ids",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "GetTopicMessages", Shared, r.B.TopicMessageIds.ToArray())),
        Case("DeleteTopicMessage", "B's message id", r => r.CallAsync("DeleteTopicMessage", Shared, r.B.TopicMessageIds[0])),
        Case("DeleteTopicMessages", "B's ids", r => r.CallAsync("DeleteTopicMessages", Shared, r.B.TopicMessageIds.ToArray())),
        Case("PopTopicMessages", "only A's",
            async r => Assert.Equal(r.A.TopicMessageIds, Ids(await r.CallAsync("PopTopicMessages", Shared, 20)))),
    ];
}
