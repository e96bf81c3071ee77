using System.Net;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>The matrix's topic routes (/v2/topics...).</summary>
internal static partial class RestMatrix
{
    private static IEnumerable<RestCase> Topics()
    {
        const string topic = "/v2/topics/{topic}";
        const string messages = topic + "/messages";
        const string path = $"/v2/topics/{Shared}";
        const string patch = "application/openstack-messaging-v2.0-json-patch";
        return
        [
            Case("GET", "/v2/topics", "detailed, with count: only A's",
                (_, _) => new("GET", "/v2/topics?detailed=true&with_count=true"),
                c =>
            {
                var topics = c.Is(HttpStatusCode.OK).Response.Json!["topics"]!.AsArray();
                Assert.Equal([Shared], topics.Select(t => t!["name"]!.GetValue<string>()));
                Assert.Equal(1, c.Response.Json!["count"]!.GetValue<int>());
            }),
            Case("GET", "/v2/topics", "B's metadata as filter", (_, b) => new("GET", $"/v2/topics?{b.TopicMetadataKey}={b.MetadataValue}"),
                c => Assert.Empty(c.Is(HttpStatusCode.OK).Response.Json!["topics"]!.AsArray())),
            Case("PUT", topic, "a name only B has (as a queue) is new to A",
                (_, b) => new("PUT", $"/v2/topics/{b.OnlyQueue}", new { x = 1 }),
                c => c.Is(HttpStatusCode.Created)),
            Case("GET", topic, "the shared name: A's metadata", (_, _) => new("GET", path),
                c => Assert.Equal("a-value", c.Is(HttpStatusCode.OK).Response.Json!["a_topic_key"]!.GetValue<string>())),
            Case("PATCH", topic, "removing B's key on the shared name", (_, b) => new("PATCH", path,
                new[] { new { op = "remove", path = "/metadata/" + b.TopicMetadataKey } }, patch), c => c.Is(HttpStatusCode.Conflict)),
            Case("DELETE", topic, "the shared name", (_, _) => new("DELETE", path), async c =>
            {
                c.Is(HttpStatusCode.NoContent);
                Assert.Equal(0, await c.TotalAsync("topics"));
            }),
            Case("GET", topic + "/stats", "the shared name: A's counts", (_, _) => new("GET", path + "/stats"),
                c => Assert.Equal(2, c.Is(HttpStatusCode.OK).Response.Json!["messages"]!["total"]!.GetValue<int>())),
            Case("GET", topic + "/presence", "the shared name: none of B's connections (issue 13)", (_, _) => new("GET", path + "/presence"),
                c => Assert.Equal(0, c.Is(HttpStatusCode.OK).Response.Json!["connections"]!.GetValue<int>())),
            Case("POST", topic + "/purge", "the shared name", (_, _) => new("POST", path + "/purge"), async c =>
            {
                c.Is(HttpStatusCode.NoContent);
                Assert.Equal(0, await c.TotalAsync("topics"));
            }),
            Case("POST", messages, "to the shared name: A's topic only", (_, _) => new("POST", path + "/messages",
                new { messages = new[] { new { body = "A-T3" } } }), async c =>
            {
                c.Is(HttpStatusCode.Created);
                Assert.Equal(3, await c.TotalAsync("topics"));
            }),
            Case("GET", messages, "everything listable: only A's", (_, _) => new("GET", path + "/messages?echo=true&include_delayed=true"),
                c => Assert.Equal(c.A.TopicMessageIds, c.Is(HttpStatusCode.OK).Listed())),
            Case("GET", messages, "B's message id as marker",
                (_, b) => new("GET", $"{path}/messages?echo=true&marker={b.TopicMessageIds[0]}"),
                c => Assert.Subset(c.A.TopicMessageIds.ToHashSet(), c.Is(HttpStatusCode.OK).Listed().ToHashSet())),
            Case("GET", messages, "B's ids", (_, b) => new("GET", $"{path}/messages?ids={string.Join(",", b.TopicMessageIds)}"),
                c => c.Is(HttpStatusCode.NotFound)),
            Case("DELETE", messages, "B's ids", (_, b) => new("DELETE", $"{path}/messages?ids={string.Join(",", b.TopicMessageIds)}"),
                c => c.Is(HttpStatusCode.NoContent)),
            Case("DELETE", messages, "pop: only A's", (_, _) => new("DELETE", path + "/messages?pop=20"),
                c => Assert.Equal(c.A.TopicMessageIds, c.Is(HttpStatusCode.OK).Listed())),
            Case("GET", messages + "/{messageId}", "B's message id", (_, b) => new("GET", $"{path}/messages/{b.TopicMessageIds[0]}"),
                c => c.Is(HttpStatusCode.NotFound)),
            Case("DELETE", messages + "/{messageId}", "B's message id", (_, b) => new("DELETE", $"{path}/messages/{b.TopicMessageIds[0]}"),
                c => c.Is(HttpStatusCode.NoContent)),
        ];
    }
}
