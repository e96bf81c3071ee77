using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>PUT, GET, PATCH and DELETE of /v2/topics/{topic} (zaqar-v2-api.md section 8, with the queue rules of section 2).</summary>
public sealed class TopicLifecycleTests(ZaqarTestServer server)
{
    private const string PatchType = "application/openstack-messaging-v2.0-json-patch";

    [Fact]
    public async Task CreatingATopicAnswersCreatedThenNoContentBothWithTheTopicsLocation()
    {
        using var client = server.NewProject();

        var created = await client.PutAsync("/v2/topics/news", new { color = "blue" });
        var again = await client.PutAsync("/v2/topics/news", new { color = "red" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/v2/topics/news", created.Location);
        Assert.Equal(string.Empty, created.Text);
        Assert.Equal(HttpStatusCode.NoContent, again.Status);
        Assert.Equal("/v2/topics/news", again.Location);
        Assert.Equal("blue", (await client.GetAsync("/v2/topics/news")).Json!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATopicReadsWithOnlyThePostingReservedKeysFilledIn()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news", new { color = "blue" });

        var existing = await client.GetAsync("/v2/topics/news");
        var missing = await client.GetAsync("/v2/topics/never-created");

        Assert.Equal(HttpStatusCode.OK, existing.Status);
        Assert.Equal(
            ["_default_message_delay", "_default_message_ttl", "_max_messages_post_size", "color"],
            existing.Json!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(3600, existing.Json!["_default_message_ttl"]!.GetValue<int>());
        Assert.Equal(262144, existing.Json!["_max_messages_post_size"]!.GetValue<int>());
        Assert.Equal(0, existing.Json!["_default_message_delay"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Equal("""{"_max_messages_post_size":262144,"_default_message_ttl":3600,"_default_message_delay":0}""", missing.Text);
    }

    [Fact]
    public async Task ReservedMetadataIsValidatedAsOnAQueue()
    {
        using var client = server.NewProject();

        var response = await client.PutAsync("/v2/topics/news", new { _default_message_ttl = 10 });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request",
            "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 seconds long.");
        Assert.Equal("[]", (await client.GetAsync("/v2/topics")).Json!["topics"]!.ToJsonString());
    }

    [Fact]
    public async Task PatchChangesMetadataAndReturnsItWithTheTopicDefaults()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news", new { color = "blue", size = 1 });

        var response = await client.PatchAsync("/v2/topics/news", """
            [{"op":"replace","path":"/metadata/color","value":"red"},
             {"op":"remove","path":"/metadata/size"},
             {"op":"replace","path":"/metadata/_default_message_ttl","value":120}]
            """);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("red", response.Json!["color"]!.GetValue<string>());
        Assert.Equal(120, response.Json!["_default_message_ttl"]!.GetValue<int>());
        Assert.False(response.Json!.AsObject().ContainsKey("size"));
        Assert.False(response.Json!.AsObject().ContainsKey("_dead_letter_queue"));
        Assert.Equal(response.Text, (await client.GetAsync("/v2/topics/news")).Text);
    }

    [Fact]
    public async Task TheDeadLetterKeysAreNotReservedOnATopicSoReplacingThemWhenAbsentIsAConflict()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news");

        var response = await client.PatchAsync("/v2/topics/news", """[{"op":"replace","path":"/metadata/_max_claim_count","value":3}]""");

        response.AssertError(HttpStatusCode.Conflict, "Resource conflict", "Can't replace non-existent object _max_claim_count.");
    }

    [Fact]
    public async Task PatchingAMissingTopicIsNotFoundAndSaysTopic()
    {
        using var client = server.NewProject();

        var response = await client.PatchAsync("/v2/topics/missing", """[{"op":"add","path":"/metadata/a","value":1}]""");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Equal($"Topic missing does not exist for project {client.Project}", response.Description);
    }

    [Fact]
    public async Task PatchNeedsZaqarsPatchMediaType()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news");

        var response = await client.PatchAsync("/v2/topics/news", """[{"op":"add","path":"/metadata/a","value":1}]""", "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Equal(PatchType, response.Headers["Accept-Patch"]);
    }

    [Fact]
    public async Task DeletingATopicAnswersNoContentAndRemovesItsMessages()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news", new { color = "blue" });
        await client.PostTopicMessagesAsync("news", "a");

        var deleted = await client.DeleteAsync("/v2/topics/news");
        var missing = await client.DeleteAsync("/v2/topics/never");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, missing.Status);
        Assert.False((await client.GetAsync("/v2/topics/news")).Json!.AsObject().ContainsKey("color"));
        Assert.Equal(0, await client.TopicTotalAsync("news"));
    }

    [Theory]
    [InlineData("PUT", "/v2/topics/bad%20name")]
    [InlineData("GET", "/v2/topics/bad$name")]
    [InlineData("GET", "/v2/topics/bad$name/stats")]
    [InlineData("POST", "/v2/topics/bad$name/messages")]
    [InlineData("GET", "/v2/topics/bad$name/messages/00000000-0000-0001-0000-000000000000")]
    [InlineData("GET", "/v2/topics/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task AnInvalidTopicNameIsRejectedAsATopicIdentification(string method, string path)
    {
        using var client = server.NewProject();

        var response = await client.SendAsync(new HttpMethod(method), path, method is "PUT" or "POST" ? "{}" : null);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid topic identification",
            "The format of the submitted topic name or project id is not valid.");
    }

    [Fact]
    public async Task TopicRoutesCheckTheHeadersFirst()
    {
        using var client = server.NewProject();
        client.Http.DefaultRequestHeaders.Remove("Client-ID");

        var response = await client.GetAsync("/v2/topics/bad$name");

        response.AssertError(HttpStatusCode.BadRequest, "Missing header value", "The \"Client-ID\" header is required.");
    }
}
