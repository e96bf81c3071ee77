using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Rest;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>One isolation case of a hub method (<see cref="Method"/>: how the completeness test matches it to the hub).</summary>
internal sealed record HubCase(string Method, string Name, Func<HubRun, Task> Run)
{
    public string Id => $"{Method}: {Name}";

    public override string ToString() => Id;
}

/// <summary>
/// The hub isolation matrix (issue #6): every public method of QueuesHub, called on A's connection with B's names and
/// ids (and A's own resources of the same names). A method missing here fails <see cref="MatrixCompletenessTests"/>.
/// </summary>
internal static partial class HubMatrix
{
    public static IReadOnlyList<HubCase> All { get; } =
        [.. Queues(), .. Messages(), .. Claims(), .. Subscriptions(), .. Service(), .. Presence(), .. Topics(), .. Pools()];

    public static HubCase Find(string id) => All.Single(c => c.Id == id);

    private static HubCase Case(string method, string name, Func<HubRun, Task> run) => new(method, name, run);

    private static List<string> Ids(JsonNode? node, string key = "messages") =>
        node![key]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

    private static IEnumerable<HubCase> Queues() =>
    [
        Case("CreateQueue", "a name only B has is new to A", async r =>
            Assert.True((await r.CallAsync("CreateQueue", r.B.OnlyQueue, new { x = 1 }))!["created"]!.GetValue<bool>())),
        Case("CreateQueue", "the shared name is A's own", async r =>
            Assert.False((await r.CallAsync("CreateQueue", Shared, new { y = 2 }))!["created"]!.GetValue<bool>())),
        Case("ListQueues", "detailed, with count: only A's", async r =>
        {
            var page = await r.CallAsync("ListQueues", new { detailed = true, with_count = true, limit = 20 });
            Assert.Equal([Shared], page!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
            Assert.Equal(1, page["count"]!.GetValue<int>());
        }),
        Case("ListQueues", "B's name as marker and filter", async r =>
            Assert.Empty((await r.CallAsync("ListQueues", new { marker = "b-only", name = r.B.OnlyQueue }))!["queues"]!.AsArray())),
        Case("GetQueue", "the shared name: A's metadata", async r =>
            Assert.Equal("a-value", (await r.CallAsync("GetQueue", Shared))!["a_key"]!.GetValue<string>())),
        Case("GetQueue", "a name only B has: defaults", async r =>
            Assert.All((await r.CallAsync("GetQueue", r.B.OnlyQueue))!.AsObject(),
                p => Assert.StartsWith("_", p.Key, StringComparison.Ordinal))),
        Case("DeleteQueue", "the shared name and a name only B has", async r =>
        {
            await r.CallAsync("DeleteQueue", Shared);
            await r.CallAsync("DeleteQueue", r.B.OnlyQueue);
            Assert.Equal(0, (await r.CallAsync("GetQueueStats", Shared))!["messages"]!["total"]!.GetValue<int>());
        }),
        Case("GetQueueStats", "the shared name: A's counts", async r =>
        {
            var messages = (await r.CallAsync("GetQueueStats", Shared))!["messages"]!;
            Assert.Equal((1, 2, 3), RestMatrix.Counts(messages));
            Assert.Equal(0, (await r.CallAsync("GetQueueStats", r.B.OnlyQueue))!["messages"]!["total"]!.GetValue<int>());
        }),
        Case("UpdateQueueMetadata", "replacing B's key on the shared name", r =>
            r.ErrorAsync(HttpStatusCode.Conflict, "UpdateQueueMetadata", Shared,
                new[] { new { op = "replace", path = "/metadata/" + r.B.MetadataKey, value = "mine" } })),
        Case("UpdateQueueMetadata", "a name only B has", r =>
            r.ErrorAsync(HttpStatusCode.NotFound, "UpdateQueueMetadata", r.B.OnlyQueue,
                new[] { new { op = "add", path = "/metadata/z", value = 1 } })),
        Case("PurgeQueue", "the shared name", async r =>
        {
            await r.CallAsync("PurgeQueue", Shared, null);
            Assert.Equal(0, (await r.CallAsync("GetQueueStats", Shared))!["messages"]!["total"]!.GetValue<int>());
        }),
    ];

    private static IEnumerable<HubCase> Messages() =>
    [
        Case("PostMessages", "to the shared name: A's queue only", async r =>
        {
            var posted = await r.CallAsync("PostMessages", Shared, new[] { new { body = "A-new" } });
            Assert.DoesNotContain(posted!["message_ids"]![0]!.GetValue<string>(), r.B.Ids);
            Assert.Equal(4, await r.A.Client.TotalAsync(Shared));
        }),
        Case("ListMessages", "everything listable: only A's", async r =>
            Assert.Equal(r.A.MessageIds, Ids(await r.CallAsync("ListMessages", Shared,
                new { echo = true, include_claimed = true, include_delayed = true, limit = 20 })))),
        Case("ListMessages", "B's message id as marker", async r =>
            Assert.Subset(r.A.MessageIds.ToHashSet(), Ids(await r.CallAsync("ListMessages", Shared,
                new { echo = true, include_claimed = true, marker = r.B.MessageIds[0] })).ToHashSet())),
        Case("GetMessage", "B's message id", r => r.ErrorAsync(HttpStatusCode.NotFound, "GetMessage", Shared, r.B.FreeIds[0])),
        Case("GetMessages", "B's ids", r => r.ErrorAsync(HttpStatusCode.NotFound, "GetMessages", Shared, r.B.MessageIds.ToArray())),
        Case("GetMessages", "A's and B's ids: only A's", async r =>
            Assert.Equal([r.A.MessageIds[1]],
                Ids(await r.CallAsync("GetMessages", Shared, new[] { r.B.FreeIds[0], r.A.MessageIds[1], r.B.ClaimedIds[0] })))),
        Case("DeleteMessage", "B's free message, and B's claimed one with B's claim", async r =>
        {
            await r.CallAsync("DeleteMessage", Shared, r.B.FreeIds[0], null);
            await r.CallAsync("DeleteMessage", Shared, r.B.ClaimedIds[0], r.B.ClaimId);
        }),
        Case("DeleteMessage", "A's claimed message with B's claim", async r =>
            Assert.Contains((await r.ErrorAsync("DeleteMessage", Shared, r.A.ClaimedId, r.B.ClaimId)).Status, new[] { 400, 403 })),
        Case("DeleteMessages", "B's ids, and B's claimed ones with B's claim", async r =>
        {
            await r.CallAsync("DeleteMessages", Shared, r.B.MessageIds.ToArray(), null);
            await r.CallAsync("DeleteMessages", Shared, r.B.ClaimedIds.ToArray(), new[] { r.B.ClaimId });
        }),
        Case("PopMessages", "only A's free messages",
            async r => Assert.Equal(r.A.FreeIds, Ids(await r.CallAsync("PopMessages", Shared, 20)))),
    ];

    private static IEnumerable<HubCase> Claims() =>
    [
        Case("CreateClaim", "the shared name: only A's free messages; a name only B has: nothing", async r =>
        {
            Assert.Equal(r.A.FreeIds, Ids(await r.CallAsync("CreateClaim", Shared, new { ttl = 60, grace = 60, limit = 20 })));
            Assert.Null(await r.CallAsync("CreateClaim", r.B.OnlyQueue, null));
        }),
        Case("GetClaim", "B's claim", r => r.ErrorAsync(HttpStatusCode.NotFound, "GetClaim", Shared, r.B.ClaimId)),
        Case("UpdateClaim", "renewing B's claim",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "UpdateClaim", Shared, r.B.ClaimId, new { ttl = 60, grace = 60 })),
        Case("ReleaseClaim", "releasing B's claim", r => r.CallAsync("ReleaseClaim", Shared, r.B.ClaimId)),
    ];
}
