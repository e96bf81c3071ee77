using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Versions, the JSON-home document and routing (zaqar-v2-api.md section 1.1).</summary>
public sealed class DiscoveryTests(ZaqarTestServer server)
{
    private static readonly string[] PublicRels =
    [
        "rel/queues", "rel/queue", "rel/queue_stats", "rel/queue_share", "rel/queue_purge", "rel/messages", "rel/post_messages",
        "rel/messages_delete", "rel/message_delete", "rel/message_get", "rel/claim", "rel/post_claim", "rel/patch_claim",
        "rel/delete_claim", "rel/subscriptions_get", "rel/subscriptions_post", "rel/subscription", "rel/subscription_patch", "rel/ping",
    ];

    [Fact]
    public async Task RootAnswersMultipleChoicesWithTheVersionsDocumentWithoutAnyHeaders()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/");

        Assert.Equal(HttpStatusCode.MultipleChoices, response.Status);
        var versions = response.Json!["versions"]!.AsArray();
        Assert.Equal(["1", "1.1", "2"], versions.Select(v => v!["id"]!.GetValue<string>()));
        Assert.Equal("DEPRECATED", versions[0]!["status"]!.GetValue<string>());
        var v2 = versions[2]!;
        Assert.Equal("CURRENT", v2["status"]!.GetValue<string>());
        Assert.Equal("2014-9-24T04:06:47Z", v2["updated"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"base":"application/json","type":"application/vnd.openstack.messaging-v2+json"}]"""), v2["media-types"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"href":"/v2/","rel":"self"}]"""), v2["links"]));
    }

    [Fact]
    public async Task HomeDocumentIsJsonHomeCachedForADayAndListsEveryPublicResource()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/", RestTestHelpers.ValidHeaders());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json-home", response.Headers["Content-Type"].Split(';')[0]);
        Assert.Equal("max-age=86400", response.Headers["Cache-Control"]);
        var resources = response.Json!["resources"]!.AsObject();
        foreach (var rel in PublicRels)
        {
            Assert.True(resources.ContainsKey(rel), rel);
        }
        Assert.True(resources.ContainsKey("rel/health"), "admin mode is on in the shared instance");
    }

    [Fact]
    public async Task EveryHomeDocumentEntryHasAnAddressAllowedMethodsAndFormats()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/", RestTestHelpers.ValidHeaders());

        foreach (var (rel, entry) in response.Json!["resources"]!.AsObject())
        {
            var template = entry!["href-template"]?.GetValue<string>();
            Assert.True(template is not null || entry["href"] is not null, rel);
            if (template is not null && template.Contains('{', StringComparison.Ordinal))
            {
                Assert.True(entry["href-vars"] is JsonObject { Count: > 0 }, rel);
            }
            var hints = entry["hints"]!;
            var allow = hints["allow"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            Assert.NotEmpty(allow);
            Assert.True(hints["formats"]!["application/json"] is JsonObject, rel);
            if (allow.Contains("POST") || allow.Contains("PATCH"))
            {
                Assert.Contains("application/json", hints["accept-post"]!.AsArray().Select(a => a!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public async Task HomeDocumentLeavesOutHealthWithoutAdminMode()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:AdminMode"] = "false" });

        var response = await factory.RawAsync(HttpMethod.Get, "/v2/", RestTestHelpers.ValidHeaders());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var resources = response.Json!["resources"]!.AsObject();
        Assert.False(resources.ContainsKey("rel/health"));
        Assert.True(resources.ContainsKey("rel/ping"));
    }

    [Fact]
    public async Task HomeDocumentNeedsTheClientIdLikeEveryV2Path()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/", new Dictionary<string, string> { ["X-Project-ID"] = "p" });

        response.AssertError(HttpStatusCode.BadRequest, "Missing header value", "The \"Client-ID\" header is required.");
    }

    [Theory]
    [InlineData("/v2")]
    [InlineData("/v2/queues/")]
    [InlineData("/v2/ping/")]
    [InlineData("/v2/queues/q/messages/")]
    public async Task RoutingIsSlashExact(string path)
    {
        var withHeaders = await server.Factory.RawAsync(HttpMethod.Get, path, RestTestHelpers.ValidHeaders());
        var withoutHeaders = await server.Factory.RawAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.NotFound, withHeaders.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", withHeaders.Text);
        Assert.Equal(HttpStatusCode.NotFound, withoutHeaders.Status);
    }

    [Theory]
    [InlineData("GET", "/nothing")]
    [InlineData("GET", "/v2/nothing")]
    [InlineData("GET", "/v1.1/queues")]
    [InlineData("GET", "/v2/queues/q/nothing")]
    [InlineData("POST", "/v2/queues/q/messages/x/y")]
    public async Task UnknownRoutesAnswerNotFoundWithOnlyATitle(string method, string path)
    {
        var response = await server.Factory.RawAsync(new HttpMethod(method), path, RestTestHelpers.ValidHeaders());

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", response.Text);
    }

    [Fact]
    public async Task UnknownRoutesAreNotFoundEvenWithoutHeaders()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/nothing");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", response.Text);
    }
}
