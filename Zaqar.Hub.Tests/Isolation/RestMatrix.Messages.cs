using System.Net;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>The matrix's message and claim routes (/v2/queues/{queue}/messages..., /claims...).</summary>
internal static partial class RestMatrix
{
    private const string MessagesRoute = "/v2/queues/{queue}/messages";
    private const string MessageRoute = "/v2/queues/{queue}/messages/{messageId}";

    private static IEnumerable<RestCase> Messages() =>
    [
        Case("POST", MessagesRoute, "to the shared name: A's queue only", (_, _) => new("POST", $"/v2/queues/{Shared}/messages",
            new { messages = new[] { new { body = "A-new" } } }), async c =>
        {
            c.Is(HttpStatusCode.Created);
            Assert.Equal(4, await c.TotalAsync());
        }),
        Case("POST", MessagesRoute, "to a name only B has", (_, b) => new("POST", $"/v2/queues/{b.OnlyQueue}/messages",
            new { messages = new[] { new { body = "A-new" } } }), c => c.Is(HttpStatusCode.Created)),
        Case("GET", MessagesRoute, "everything listable: only A's",
            (_, _) => new("GET", $"/v2/queues/{Shared}/messages?echo=true&include_claimed=true&include_delayed=true&limit=20"),
            c => Assert.Equal(c.A.MessageIds, c.Is(HttpStatusCode.OK).Listed())),
        Case("GET", MessagesRoute, "B's message id as marker",
            (_, b) => new("GET", $"/v2/queues/{Shared}/messages?echo=true&include_claimed=true&marker={b.MessageIds[0]}"),
            c => Assert.Subset(c.A.MessageIds.ToHashSet(), c.Is(HttpStatusCode.OK).Listed().ToHashSet())),
        Case("GET", MessagesRoute, "B's ids", (_, b) => new("GET", $"/v2/queues/{Shared}/messages?ids={string.Join(",", b.MessageIds)}"),
            c => c.Is(HttpStatusCode.NotFound)),
        Case("GET", MessagesRoute, "A's and B's ids: only A's",
            (a, b) => new("GET", $"/v2/queues/{Shared}/messages?ids={b.FreeIds[0]},{a.MessageIds[1]},{b.ClaimedIds[0]}"),
            c => Assert.Equal([c.A.MessageIds[1]], c.Is(HttpStatusCode.OK).Listed())),
        Case("DELETE", MessagesRoute, "B's ids",
            (_, b) => new("DELETE", $"/v2/queues/{Shared}/messages?ids={string.Join(",", b.MessageIds)}"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("DELETE", MessagesRoute, "B's claimed ids with B's claim",
            (_, b) => new("DELETE", $"/v2/queues/{Shared}/messages?ids={string.Join(",", b.ClaimedIds)}&claim_ids={b.ClaimId}"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("DELETE", MessagesRoute, "pop: only A's free messages", (_, _) => new("DELETE", $"/v2/queues/{Shared}/messages?pop=20"),
            c => Assert.Equal(c.A.FreeIds, c.Is(HttpStatusCode.OK).Listed())),
        Case("GET", MessageRoute, "B's message id",
            (_, b) => new("GET", $"/v2/queues/{Shared}/messages/{b.FreeIds[0]}"),
            c => c.Is(HttpStatusCode.NotFound)),
        Case("GET", MessageRoute, "B's message id under a name only B has",
            (_, b) => new("GET", $"/v2/queues/{b.OnlyQueue}/messages/{b.FreeIds[0]}"),
            c => c.Is(HttpStatusCode.NotFound)),
        Case("DELETE", MessageRoute, "B's free message",
            (_, b) => new("DELETE", $"/v2/queues/{Shared}/messages/{b.FreeIds[0]}"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("DELETE", MessageRoute, "B's claimed message with B's claim",
            (_, b) => new("DELETE", $"/v2/queues/{Shared}/messages/{b.ClaimedIds[0]}?claim_id={b.ClaimId}"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("DELETE", MessageRoute, "A's claimed message with B's claim",
            (a, b) => new("DELETE", $"/v2/queues/{Shared}/messages/{a.ClaimedId}?claim_id={b.ClaimId}"),
            c => Assert.True(c.Response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, c.Response.Text)),
    ];

    private static IEnumerable<RestCase> Claims() =>
    [
        Case("POST", "/v2/queues/{queue}/claims", "the shared name: only A's free messages",
            (_, _) => new("POST", $"/v2/queues/{Shared}/claims?limit=20",
            new { ttl = 60, grace = 60 }), c => Assert.Equal(c.A.FreeIds, c.Is(HttpStatusCode.Created).Listed())),
        Case("POST", "/v2/queues/{queue}/claims", "a name only B has: nothing to claim",
            (_, b) => new("POST", $"/v2/queues/{b.OnlyQueue}/claims"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("GET", "/v2/queues/{queue}/claims/{claimId}", "B's claim", (_, b) => new("GET", $"/v2/queues/{Shared}/claims/{b.ClaimId}"),
            c => c.Is(HttpStatusCode.NotFound)),
        Case("PATCH", "/v2/queues/{queue}/claims/{claimId}", "renewing B's claim",
            (_, b) => new("PATCH", $"/v2/queues/{Shared}/claims/{b.ClaimId}",
            new { ttl = 60, grace = 60 }), c => c.Is(HttpStatusCode.NotFound)),
        Case("DELETE", "/v2/queues/{queue}/claims/{claimId}", "releasing B's claim",
            (_, b) => new("DELETE", $"/v2/queues/{Shared}/claims/{b.ClaimId}"),
            c => c.Is(HttpStatusCode.NoContent)),
    ];
}
