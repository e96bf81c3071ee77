using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>
/// With the database unreachable every storage route answers 503 with Zaqar's text and nothing of the cause,
/// and the service keeps serving (zaqar-v2-api.md section 1.3).
/// </summary>
[ExpectsServiceErrors("Storage is made unreachable: every failure is an outage the service must log.")]
public sealed class StorageOutageTests(StorageOutageTests.OutageFactory outage) : IClassFixture<StorageOutageTests.OutageFactory>
{
    private ZaqarFactory Factory => outage.Factory;

    /// <summary>One service instance for the class, whose database is unreachable.</summary>
    public sealed class OutageFactory : IAsyncDisposable
    {
        // Nothing listens on port 1: every connection attempt is refused at once.
        public ZaqarFactory Factory { get; } = new("Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=2",
            new Dictionary<string, string?> { ["Storage:MigrateOnStart"] = "false", ["Storage:SweepEnabled"] = "false" });

        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "/v2/queues", null, "Queues could not be listed.")]
    [InlineData("PUT", "/v2/queues/q", null, "Queue could not be created.")]
    [InlineData("GET", "/v2/queues/q", null, "Queue metadata could not be retrieved.")]
    [InlineData("PATCH", "/v2/queues/q", """[{"op":"add","path":"/metadata/a","value":1}]""", "Queue could not be updated.")]
    [InlineData("DELETE", "/v2/queues/q", null, "Queue could not be deleted.")]
    [InlineData("GET", "/v2/queues/q/stats", null, "Queue stats could not be read.")]
    [InlineData("POST", "/v2/queues/q/purge", null, "Queue could not be purged.")]
    [InlineData("POST", "/v2/queues/q/messages", """{"messages":[{"body":1}]}""", "Messages could not be enqueued.")]
    [InlineData("GET", "/v2/queues/q/messages", null, "Messages could not be listed.")]
    [InlineData("GET", "/v2/queues/q/messages/00000000-0000-0001-0000-000000000000", null, "Message could not be retrieved.")]
    [InlineData("DELETE", "/v2/queues/q/messages/00000000-0000-0001-0000-000000000000", null, "Message could not be deleted.")]
    [InlineData("DELETE", "/v2/queues/q/messages?pop=1", null, "Messages could not be popped.")]
    [InlineData("GET", "/v2/queues/q/messages?ids=00000000-0000-0001-0000-000000000000", null, "Message could not be retrieved.")]
    [InlineData("DELETE", "/v2/queues/q/messages?ids=00000000-0000-0001-0000-000000000000", null, "Messages could not be deleted.")]
    [InlineData("POST", "/v2/queues/q/claims", null, "Claim could not be created.")]
    [InlineData("PATCH", "/v2/queues/q/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301", """{"ttl":300}""", "Claim could not be updated.")]
    [InlineData("GET", "/v2/queues/q/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301", null, "Claim could not be queried.")]
    [InlineData("DELETE", "/v2/queues/q/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301", null, "Claim could not be deleted.")]
    public async Task EveryStorageRouteAnswersServiceUnavailableWithoutTheCause(string method, string path, string? body, string what)
    {
        using var client = Factory.NewProject();
        var contentType = path == "/v2/queues/q" ? "application/openstack-messaging-v2.0-json-patch" : "application/json";

        var response = await client.SendAsync(new HttpMethod(method), path, body, contentType);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("Service temporarily unavailable", response.Title);
        Assert.Equal(what + " Please try again in a few seconds.", response.Description);
        Assert.Equal(["title", "description"], response.Json!.AsObject().Select(p => p.Key));
        Assert.Equal("30", response.Headers["Retry-After"]);
    }

    [Fact]
    public async Task PingAnswersServiceUnavailableAndHealthReportsStorageUnreachable()
    {
        using var client = Factory.NewProject();
        client.Http.DefaultRequestHeaders.Add("X-Roles", "admin");

        var ping = await client.GetAsync("/v2/ping");
        var head = await client.SendAsync(HttpMethod.Head, "/v2/ping");
        var health = await client.GetAsync("/v2/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ping.Status);
        Assert.Equal(HttpStatusCode.NoContent, head.Status);
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.False(health.Json!["storage_reachable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task TheServiceKeepsServingThroughTheOutage()
    {
        using var client = Factory.NewProject();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/v2/queues")).Status);
        }
        var versions = await Factory.RawAsync(HttpMethod.Get, "/");
        var home = await client.GetAsync("/v2/");
        var invalid = await client.PutAsync("/v2/queues/bad!name");

        Assert.Equal(HttpStatusCode.MultipleChoices, versions.Status);
        Assert.Equal(HttpStatusCode.OK, home.Status);
        invalid.AssertError(HttpStatusCode.BadRequest, "Invalid queue identification");
    }
}
