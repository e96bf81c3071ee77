using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Sockets;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>One isolation case of a websocket action (<see cref="Action"/>: how the completeness test matches it).</summary>
internal sealed record SocketCase(string Action, string Name, Func<SocketRun, Task> Run)
{
    public string Id => $"{Action}: {Name}";

    public override string ToString() => Id;
}

/// <summary>
/// The isolation matrix of Zaqar's websocket transport (issue 13): every action of its schema, sent on A's connection with
/// B's names and ids (and A's own resources of the same names). An action missing here fails
/// <see cref="SocketIsolationTests.EveryWebSocketActionHasAnIsolationCase"/>.
/// </summary>
internal static class SocketMatrix
{
    public static IReadOnlyList<SocketCase> All { get; } = [.. Queues(), .. Messages(), .. Claims(), .. Subscriptions(), .. Service()];

    public static SocketCase Find(string id) => All.Single(c => c.Id == id);

    private static SocketCase Case(string action, string name, Func<SocketRun, Task> run) => new(action, name, run);

    private static List<string> Ids(JsonNode? body) => body!["messages"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

    private static IEnumerable<SocketCase> Queues() =>
    [
        Case("queue_list", "detailed: only A's", async r =>
        {
            var queues = (await r.OkAsync(200, "queue_list", new { detailed = true, limit = 20 }))!["queues"]!.AsArray();
            Assert.Equal([Shared], queues.Select(q => q!["name"]!.GetValue<string>()));
            Assert.Equal("a-value", queues[0]!["metadata"]!["a_key"]!.GetValue<string>());
        }),
        Case("queue_create", "a name only B has is new to A", r => r.OkAsync(201, "queue_create", new { queue_name = r.B.OnlyQueue })),
        Case("queue_get", "the shared name: A's metadata", async r =>
            Assert.Equal("a-value", (await r.OkAsync(200, "queue_get", new { queue_name = Shared }))!["a_key"]!.GetValue<string>())),
        Case("queue_delete", "the shared name and a name only B has", async r =>
        {
            await r.OkAsync(204, "queue_delete", new { queue_name = Shared });
            await r.OkAsync(204, "queue_delete", new { queue_name = r.B.OnlyQueue });
        }),
        Case("queue_get_stats", "the shared name: A's counts", async r =>
            Assert.Equal((1, 2, 3), RestMatrix.Counts((await r.OkAsync(200, "queue_get_stats", new { queue_name = Shared }))!["messages"]!))),
        Case("queue_purge", "the shared name, messages and subscriptions", r => r.OkAsync(204, "queue_purge", new { queue_name = Shared })),
    ];

    private static IEnumerable<SocketCase> Messages() =>
    [
        Case("message_post", "to the shared name", r =>
            r.OkAsync(201, "message_post", new { queue_name = Shared, messages = new[] { new { body = "A-new" } } })),
        Case("message_list", "echo and claimed: only A's", async r =>
            Assert.Equal(r.A.MessageIds, Ids(await r.OkAsync(200, "message_list", new { queue_name = Shared, echo = true, include_claimed = true })))),
        Case("message_list", "B's id as marker: only A's", async r =>
            Assert.Subset(r.A.MessageIds.ToHashSet(), Ids(await r.OkAsync(200, "message_list",
                new { queue_name = Shared, echo = true, include_claimed = true, marker = r.B.MessageIds[0] })).ToHashSet())),
        Case("message_get", "B's message: 404", async r =>
            Assert.Equal(404, (await r.CallAsync("message_get", new { queue_name = Shared, message_id = r.B.FreeIds[0] })).Status())),
        Case("message_get_many", "B's ids with one of A's: A's only", async r =>
            Assert.Equal([r.A.FreeIds[0]], Ids(await r.OkAsync(200, "message_get_many",
                new { queue_name = Shared, message_ids = new[] { r.B.FreeIds[0], r.A.FreeIds[0], r.B.ClaimedIds[0] } })))),
        Case("message_delete", "B's free and claimed messages, with B's claim", async r =>
        {
            await r.OkAsync(204, "message_delete", new { queue_name = Shared, message_id = r.B.FreeIds[0] });
            await r.CallAsync("message_delete", new { queue_name = Shared, message_id = r.B.ClaimedIds[0], claim_id = r.B.ClaimId });
        }),
        Case("message_delete_many", "B's ids with B's claim", r =>
            r.OkAsync(204, "message_delete_many", new { queue_name = Shared, message_ids = r.B.MessageIds, claim_ids = new[] { r.B.ClaimId } })),
        Case("message_delete_many", "pop: only A's", async r =>
            Assert.Equal(r.A.FreeIds, Ids(await r.OkAsync(200, "message_delete_many", new { queue_name = Shared, pop = 10 })))),
    ];

    private static IEnumerable<SocketCase> Claims() =>
    [
        Case("claim_create", "the shared name: A's free messages only", async r =>
            Assert.Equal(r.A.FreeIds, Ids(await r.OkAsync(201, "claim_create", new { queue_name = Shared, limit = 20, ttl = 60 })))),
        Case("claim_get", "B's claim: 404", async r =>
            Assert.Equal(404, (await r.CallAsync("claim_get", new { queue_name = Shared, claim_id = r.B.ClaimId })).Status())),
        Case("claim_update", "B's claim: 404", async r =>
            Assert.Equal(404, (await r.CallAsync("claim_update", new { queue_name = Shared, claim_id = r.B.ClaimId, ttl = 60 })).Status())),
        Case("claim_delete", "B's claim", r => r.OkAsync(204, "claim_delete", new { queue_name = Shared, claim_id = r.B.ClaimId })),
    ];

    private static IEnumerable<SocketCase> Subscriptions() =>
    [
        Case("subscription_create", "the connection, then A's own post is pushed to A alone", async r =>
        {
            await r.OkAsync(201, "subscription_create", new { queue_name = Shared, ttl = 600 });
            var posted = await r.OkAsync(201, "message_post", new { queue_name = Shared, messages = new[] { new { body = "A-pushed" } } });
            var push = await r.NextPushAsync();
            Assert.Equal(posted!["message_ids"]![0]!.GetValue<string>(), push["id"]!.GetValue<string>());
        }),
        Case("subscription_create", "B's subscriber URL is A's own subscription", r =>
            r.OkAsync(201, "subscription_create", new { queue_name = Shared, subscriber = r.B.Subscriber })),
        Case("subscription_list", "only A's", async r =>
            Assert.Equal([r.A.SubscriptionId], (await r.OkAsync(200, "subscription_list", new { queue_name = Shared }))!["subscriptions"]!
                .AsArray().Select(s => s!["id"]!.GetValue<string>()))),
        Case("subscription_get", "B's subscription: 404", async r =>
            Assert.Equal(404, (await r.CallAsync("subscription_get", new { queue_name = Shared, subscription_id = r.B.QueueSubscriptionId })).Status())),
        Case("subscription_delete", "B's subscriptions, webhook and connection", async r =>
        {
            await r.OkAsync(204, "subscription_delete", new { queue_name = Shared, subscription_id = r.B.QueueSubscriptionId });
            await r.OkAsync(204, "subscription_delete", new { queue_name = Shared, subscription_id = r.B.HubSubscriptionId ?? r.B.TopicSubscriptionId });
        }),
    ];

    // Service and operator actions hold no project's data; the pool and flavor ones are not routed without pooling (the
    // isolation world runs without), for any caller. A project's answer carrying B's data would be the leak.
    private static IEnumerable<SocketCase> Service() =>
    [
        Case("authenticate", "naming B's project, then a frame of A's", async r =>
        {
            await r.CallAsync("authenticate", extraHeaders: new JsonObject { ["X-Project-ID"] = r.B.Project, ["X-Auth-Token"] = "B's?" });
            Assert.Equal([Shared], (await r.OkAsync(200, "queue_list"))!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        }),
        Case("get_home_doc", "no data", r => r.OkAsync(200, "get_home_doc")),
        Case("ping_node", "no data", r => r.OkAsync(204, "ping_node")),
        Case("check_node_health", "as an admin of A", r => r.OkAsync(200, "check_node_health")),
        .. new[] { "pool_list", "pool_create", "pool_get", "pool_get_detail", "pool_update", "pool_delete" }
            .Select(action => Case(action, "not routed without pooling", async r =>
                Assert.Equal(404, (await r.CallAsync(action, action == "pool_list" ? null : new { pool_name = "p", uri = "postgresql://x", weight = 1 })).Status()))),
        .. new[] { "flavor_list", "flavor_create", "flavor_get", "flavor_update", "flavor_delete" }
            .Select(action => Case(action, "not routed without pooling", async r =>
                Assert.Equal(404, (await r.CallAsync(action, action == "flavor_list" ? null : new { flavor_name = "f", pool_list = new[] { "p" } })).Status()))),
    ];
}
