using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>One request A sends in a case: B's names and ids, or A's own resources of the same names.</summary>
internal sealed record RestProbe(string Method, string Path, object? Body = null, string ContentType = "application/json")
{
    /// <summary>Extra headers (X-Roles for health).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>What a case checks in A's answer, with A's own client for follow-up reads.</summary>
internal sealed record RestCheck(TenantA A, TenantB B, ZaqarClient.Response Response)
{
    public RestCheck Is(HttpStatusCode status)
    {
        Assert.True(Response.Status == status, $"expected {(int)status}, got {(int)Response.Status}: {Response.Text}");
        return this;
    }

    /// <summary>The ids of the messages (or subscriptions) the answer lists.</summary>
    public List<string> Listed(string key = "messages") => Response.Ids(key);

    /// <summary>A's own view of a path (must be 200).</summary>
    public async Task<JsonNode> ReadAsync(string path)
    {
        var response = await A.Client.GetAsync(path);
        Assert.True(response.Status == HttpStatusCode.OK, $"A's read {path}: {(int)response.Status} {response.Text}");
        return response.Json!;
    }

    public async Task<long> TotalAsync(string collection = "queues") =>
        (await ReadAsync($"/v2/{collection}/{Shared}/stats"))["messages"]!["total"]!.GetValue<long>();
}

/// <summary>
/// One isolation case of a REST route: the route as the app maps it (<see cref="Verb"/>, <see cref="Route"/>: how the
/// completeness test matches cases to endpoints), the request A sends, and what A's answer must be.
/// </summary>
internal sealed record RestCase(
    string Verb, string Route, string Name, Func<TenantA, TenantB, RestProbe> Probe, Func<RestCheck, Task> Check)
{
    public string Id => $"{Verb} {Route}: {Name}";

    public override string ToString() => Id;
}

/// <summary>
/// The REST isolation matrix (issue #6): every route of the app, called as project A with project B's names and ids
/// (and A's own resources of the same names). A route missing here fails <see cref="MatrixCompletenessTests"/>; to
/// cover a new route, add its cases to the file of its resource.
/// </summary>
internal static partial class RestMatrix
{
    public static IReadOnlyList<RestCase> All { get; } =
        [.. Discovery(), .. Queues(), .. Messages(), .. Claims(), .. Subscriptions(), .. Topics()];

    private const string JsonPatch = "application/openstack-messaging-v2.0-json-patch";

    public static RestCase Find(string id) => All.Single(c => c.Id == id);

    /// <summary>The claimed, free and total counts of a stats document's <c>messages</c>.</summary>
    internal static (int Claimed, int Free, int Total) Counts(JsonNode messages) =>
        (messages["claimed"]!.GetValue<int>(), messages["free"]!.GetValue<int>(), messages["total"]!.GetValue<int>());

    private static RestCase Case(string verb, string route, string name,
        Func<TenantA,
        TenantB,
        RestProbe> probe,
        Func<RestCheck,
        Task> check) =>
        new(verb, route, name, probe, check);

    private static RestCase Case(string verb, string route, string name,
        Func<TenantA,
        TenantB,
        RestProbe> probe,
        Action<RestCheck> check) =>
        new(verb, route, name, probe, c => { check(c); return Task.CompletedTask; });

    private static IEnumerable<RestCase> Discovery() =>
    [
        Case("GET", "/", "versions", (_, _) => new("GET", "/"), c => c.Is(HttpStatusCode.MultipleChoices)),
        Case("GET", "/v2/", "home document", (_, _) => new("GET", "/v2/"), c => c.Is(HttpStatusCode.OK)),
        Case("GET", "/v2/ping", "ping", (_, _) => new("GET", "/v2/ping"), c => c.Is(HttpStatusCode.NoContent)),
        Case("HEAD", "/v2/ping", "ping", (_, _) => new("HEAD", "/v2/ping"), c => c.Is(HttpStatusCode.NoContent)),
        Case("GET", "/v2/health", "health as an admin of A",
            (_, _) => new("GET", "/v2/health") { Headers = new Dictionary<string, string> { ["X-Roles"] = "admin" } },
            c => Assert.True(c.Is(HttpStatusCode.OK).Response.Json!["storage_reachable"]!.GetValue<bool>())),
        // Issue 15: the probes and the scrape need no credentials and show no tenant's names.
        Case("GET", "/health/live", "liveness", (_, _) => new("GET", "/health/live"), c => NoTenantIn(c.Is(HttpStatusCode.OK))),
        Case("GET", "/health/ready", "readiness", (_, _) => new("GET", "/health/ready"), c => NoTenantIn(c.Is(HttpStatusCode.OK))),
        Case("GET", "/metrics", "metrics", (_, _) => new("GET", "/metrics"), c => NoTenantIn(c.Is(HttpStatusCode.OK))),
        // Issue 15: the OpenAPI document and its reference page describe the API, public like the probes.
        .. new[] { "/openapi/{documentName}.json", "/docs/{documentName?}", "/docs/scalar.js", "/docs/scalar.aspnetcore.js", "/docs/favicon.svg" }
            .Select(route => Case("GET", route, "API documentation", (_, _) => new("GET", route.Replace("{documentName}", "v1", StringComparison.Ordinal)
                .Replace("{documentName?}", "v1", StringComparison.Ordinal)), c => NoTenantIn(c.Is(HttpStatusCode.OK)))),
        Case("*", "{*path:nonfile}", "a path no route serves, with B's claim id",
            (_, b) => new("GET", $"/v2/topics/{Shared}/claims/{b.ClaimId}"),
            c => Assert.Equal("""{"title":"404 Not Found"}""", c.Is(HttpStatusCode.NotFound).Response.Text)),
    ];

    private static void NoTenantIn(RestCheck c)
    {
        Assert.DoesNotContain(c.A.Project, c.Response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(c.B.Project, c.Response.Text, StringComparison.Ordinal);
    }

    private static IEnumerable<RestCase> Queues() =>
    [
        Case("GET", "/v2/queues", "detailed, with count: only A's",
            (_, _) => new("GET", "/v2/queues?detailed=true&with_count=true&limit=20"),
            c =>
        {
            var queues = c.Is(HttpStatusCode.OK).Response.Json!["queues"]!.AsArray();
            Assert.Equal([Shared], queues.Select(q => q!["name"]!.GetValue<string>()));
            Assert.Equal("a-value", queues[0]!["metadata"]!["a_key"]!.GetValue<string>());
            Assert.Equal(1, c.Response.Json!["count"]!.GetValue<int>());
        }),
        Case("GET", "/v2/queues", "B's name as marker and name filter",
            (_, b) => new("GET", $"/v2/queues?marker=b-only&name={b.OnlyQueue}&with_count=true"),
            c => Assert.Empty(c.Is(HttpStatusCode.OK).Response.Json!["queues"]!.AsArray())),
        Case("GET", "/v2/queues", "B's metadata as filter",
            (_, b) => new("GET", $"/v2/queues?{b.MetadataKey}={b.MetadataValue}&detailed=true"),
            c => Assert.Empty(c.Is(HttpStatusCode.OK).Response.Json!["queues"]!.AsArray())),
        Case("PUT", "/v2/queues/{queue}", "a name only B has is new to A",
            (_, b) => new("PUT", $"/v2/queues/{b.OnlyQueue}", new { x = 1 }),
            async c =>
        {
            c.Is(HttpStatusCode.Created);
            var metadata = await c.ReadAsync($"/v2/queues/{c.B.OnlyQueue}");
            Assert.Equal(1, metadata["x"]!.GetValue<int>());
        }),
        Case("PUT", "/v2/queues/{queue}", "the shared name is A's own",
            (_, _) => new("PUT", $"/v2/queues/{Shared}", new { y = 2 }),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("GET", "/v2/queues/{queue}", "the shared name: A's metadata", (_, _) => new("GET", $"/v2/queues/{Shared}"),
            c => Assert.Equal("a-value", c.Is(HttpStatusCode.OK).Response.Json!["a_key"]!.GetValue<string>())),
        Case("GET", "/v2/queues/{queue}", "a name only B has: defaults", (_, b) => new("GET", $"/v2/queues/{b.OnlyQueue}"),
            c => Assert.All(
                c.Is(HttpStatusCode.OK).Response.Json!.AsObject(), p => Assert.StartsWith("_", p.Key, StringComparison.Ordinal))),
        Case("PATCH", "/v2/queues/{queue}", "replacing B's key on the shared name", (_, b) => new("PATCH", $"/v2/queues/{Shared}",
            new[] { new { op = "replace", path = "/metadata/" + b.MetadataKey, value = "mine" } }, JsonPatch),
            c => c.Is(HttpStatusCode.Conflict)),
        Case("PATCH", "/v2/queues/{queue}", "dead-lettering into a name only B has", (_, b) => new("PATCH", $"/v2/queues/{Shared}",
            new object[]
            {
                new { op = "add", path = "/metadata/_dead_letter_queue", value = b.OnlyQueue },
                new { op = "add", path = "/metadata/_max_claim_count", value = 1 },
            },
            JsonPatch), async c =>
        {
            c.Is(HttpStatusCode.OK);
            // A's claimed message was claimed once: released and claimed again, it moves to A's queue of B's name.
            Assert.Equal(HttpStatusCode.NoContent, (await c.A.Client.DeleteAsync($"/v2/queues/{Shared}/claims/{c.A.ClaimId}")).Status);
            var (_, claimed) = await c.A.Client.ClaimAsync(Shared, new { ttl = 60 }, limit: 20);
            Assert.Equal(c.A.FreeIds, claimed.Select(m => m!["id"]!.GetValue<string>()));
            Assert.Equal(1, (await c.ReadAsync($"/v2/queues/{c.B.OnlyQueue}/stats"))["messages"]!["total"]!.GetValue<int>());
        }),
        Case("PATCH", "/v2/queues/{queue}", "a name only B has", (_, b) => new("PATCH", $"/v2/queues/{b.OnlyQueue}",
            new[] { new { op = "add", path = "/metadata/z", value = 1 } }, JsonPatch),
            c => c.Is(HttpStatusCode.NotFound)),
        Case("DELETE", "/v2/queues/{queue}", "the shared name", (_, _) => new("DELETE", $"/v2/queues/{Shared}"), async c =>
        {
            c.Is(HttpStatusCode.NoContent);
            Assert.Equal(0, await c.TotalAsync());
        }),
        Case("DELETE", "/v2/queues/{queue}", "a name only B has",
            (_, b) => new("DELETE", $"/v2/queues/{b.OnlyQueue}"),
            c => c.Is(HttpStatusCode.NoContent)),
        Case("GET", "/v2/queues/{queue}/stats", "the shared name: A's counts", (_, _) => new("GET", $"/v2/queues/{Shared}/stats"), c =>
        {
            var messages = c.Is(HttpStatusCode.OK).Response.Json!["messages"]!;
            Assert.Equal((1, 2, 3), Counts(messages));
            Assert.EndsWith(c.A.MessageIds[0], messages["oldest"]!["href"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.EndsWith(c.A.MessageIds[^1], messages["newest"]!["href"]!.GetValue<string>(), StringComparison.Ordinal);
        }),
        Case("GET", "/v2/queues/{queue}/stats", "a name only B has: zeros", (_, b) => new("GET", $"/v2/queues/{b.OnlyQueue}/stats"),
            c => Assert.Equal(0, c.Is(HttpStatusCode.OK).Response.Json!["messages"]!["total"]!.GetValue<int>())),
        Case("GET", "/v2/queues/{queue}/presence", "the shared name: none of B's connections (issue 13)",
            (_, _) => new("GET", $"/v2/queues/{Shared}/presence"),
            c => Assert.Equal(0, c.Is(HttpStatusCode.OK).Response.Json!["connections"]!.GetValue<int>())),
        Case("POST", "/v2/queues/{queue}/purge", "the shared name", (_, _) => new("POST", $"/v2/queues/{Shared}/purge"), async c =>
        {
            c.Is(HttpStatusCode.NoContent);
            Assert.Equal(0, await c.TotalAsync());
            Assert.Empty((await c.ReadAsync($"/v2/queues/{Shared}/subscriptions"))["subscriptions"]!.AsArray());
        }),
        Case("POST", "/v2/queues/{queue}/share", "signs for A's project",
            (_, _) => new("POST", $"/v2/queues/{Shared}/share", new { paths = new[] { "messages" } }),
            c => Assert.Equal(c.A.Project, c.Is(HttpStatusCode.OK).Response.Json!["project"]!.GetValue<string>())),
    ];
}
