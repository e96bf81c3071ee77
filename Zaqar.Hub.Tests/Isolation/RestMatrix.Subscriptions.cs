using System.Net;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>The matrix's subscription routes, under /v2/queues and /v2/topics alike.</summary>
internal static partial class RestMatrix
{
    private static IEnumerable<RestCase> Subscriptions() => [.. SubscriptionCases("queues"), .. SubscriptionCases("topics")];

    private static IEnumerable<RestCase> SubscriptionCases(string collection)
    {
        var route = $"/v2/{collection}/{{queue}}/subscriptions";
        var item = route + "/{subscriptionId}";
        var path = $"/v2/{collection}/{Shared}/subscriptions";
        string Mine(TenantA a) => collection == "queues" ? a.SubscriptionId : a.TopicSubscriptionId;
        string Theirs(TenantB b) => collection == "queues" ? b.QueueSubscriptionId : b.TopicSubscriptionId;
        return
        [
            Case("POST", route, "B's subscriber on the shared name: A's own new subscription",
                (_, b) => new("POST", path, new { subscriber = b.Subscriber }),
                async c =>
            {
                var id = c.Is(HttpStatusCode.Created).Response.Json!["subscription_id"]!.GetValue<string>();
                Assert.DoesNotContain(id, c.B.Ids);
                var listed = (await c.ReadAsync(path))["subscriptions"]!.AsArray().Select(s => s!["id"]!.GetValue<string>());
                Assert.Equal(new[] { Mine(c.A), id }.Order(), listed.Order());
            }),
            Case("POST", route, "B's subscriber on a name only B has",
                (_, b) => new("POST", $"/v2/{collection}/{b.OnlyQueue}/subscriptions",
                new { subscriber = b.Subscriber }), c => c.Is(HttpStatusCode.Created)),
            Case("GET", route, "the shared name: only A's", (_, _) => new("GET", path + "?limit=20"),
                c => Assert.Equal([Mine(c.A)], c.Is(HttpStatusCode.OK).Listed("subscriptions"))),
            Case("GET", route, "B's subscription id as marker", (_, b) => new("GET", $"{path}?marker={Theirs(b)}"),
                c => Assert.Subset(new HashSet<string> { Mine(c.A) }, c.Is(HttpStatusCode.OK).Listed("subscriptions").ToHashSet())),
            Case("GET", item, "B's subscription", (_, b) => new("GET", $"{path}/{Theirs(b)}"), c => c.Is(HttpStatusCode.NotFound)),
            Case("PATCH", item, "B's subscription",
                (_, b) => new("PATCH", $"{path}/{Theirs(b)}", new { ttl = 7200, subscriber = TenantA.Subscriber + "2" }),
                c => c.Is(HttpStatusCode.NotFound)),
            Case("DELETE", item, "B's subscription", (_, b) => new("DELETE", $"{path}/{Theirs(b)}"), c => c.Is(HttpStatusCode.NoContent)),
            Case("PUT", item + "/confirm", "B's subscription",
                (_, b) => new("PUT", $"{path}/{Theirs(b)}/confirm", new { confirmed = true }),
                c => c.Is(HttpStatusCode.NotFound)),
        ];
    }
}
