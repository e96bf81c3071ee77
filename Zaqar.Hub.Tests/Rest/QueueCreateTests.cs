using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>PUT and GET of a queue, and the reserved metadata rules (zaqar-v2-api.md sections 2.1 and 2.2).</summary>
public sealed class QueueCreateTests(ZaqarTestServer server)
{
    [Fact]
    public async Task PutAnswersWithTheQueuesLocationWhetherItCreatedTheQueueOrNot()
    {
        using var client = server.NewProject();

        var created = await client.PutAsync("/v2/queues/located");
        var existed = await client.PutAsync("/v2/queues/located");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/v2/queues/located", created.Location);
        Assert.Equal(HttpStatusCode.NoContent, existed.Status);
        Assert.Equal("/v2/queues/located", existed.Location);
        Assert.Empty(created.Text);
    }

    [Fact]
    public async Task PutWithAnEmptyObjectOrNoBodyCreatesAQueueWithoutMetadata()
    {
        using var client = server.NewProject();

        var bare = await client.PutAsync("/v2/queues/bare");
        var empty = await client.PutAsync("/v2/queues/empty", "{}");
        var metadata = (await client.GetAsync("/v2/queues/bare")).Json!.AsObject();

        Assert.Equal(HttpStatusCode.Created, bare.Status);
        Assert.Equal(HttpStatusCode.Created, empty.Status);
        Assert.All(metadata.Select(p => p.Key), key => Assert.StartsWith("_", key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"a\":1}]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    public async Task PutRejectsABodyThatIsNotAJsonObject(string body)
    {
        using var client = server.NewProject();

        var response = await client.PutAsync("/v2/queues/q", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
        Assert.Empty((await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"a\":", "Request body could not be parsed.")]
    [InlineData("{\"a\":9223372036854775808}", "JSON contains integer that is too large.")]
    public async Task PutRejectsMalformedJson(string body, string description)
    {
        using var client = server.NewProject();

        var response = await client.PutAsync("/v2/queues/q", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal(description, response.Description);
    }

    [Fact]
    public async Task MetadataOfUpTo65536BytesIsAcceptedAndLargerIsRejected()
    {
        using var client = server.NewProject();
        // {"k":"xxx...x"} is 8 bytes plus the x's.
        var atLimit = "{\"k\":\"" + new string('x', 65536 - 8) + "\"}";
        var overLimit = "{\"k\":\"" + new string('x', 65537 - 8) + "\"}";

        var accepted = await client.PutAsync("/v2/queues/big", atLimit);
        var rejected = await client.PutAsync("/v2/queues/bigger", overLimit);

        Assert.Equal(HttpStatusCode.Created, accepted.Status);
        rejected.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Queue metadata is too large. Max size: 65536", rejected.Description);
    }

    [Theory]
    [InlineData("_default_message_ttl", "\"120\"", "_default_message_ttl must be integer.")]
    [InlineData("_default_message_ttl", "120.5", "_default_message_ttl must be integer.")]
    [InlineData("_default_message_ttl", "59",
        "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 seconds long.")]
    [InlineData("_default_message_ttl", "1209601",
        "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 seconds long.")]
    [InlineData("_max_messages_post_size", "\"1\"", "_max_messages_post_size must be integer.")]
    [InlineData("_max_messages_post_size", "-1", "_max_messages_post_size can not exceed 262144,  and must be at least greater than 0.")]
    [InlineData("_max_messages_post_size", "262145", "_max_messages_post_size can not exceed 262144,  and must be at least greater than 0.")]
    [InlineData("_default_message_delay", "[5]", "_default_message_delay must be integer.")]
    [InlineData("_default_message_delay", "-1", "_default_message_delay can not exceed 900 seconds, and must be at least 0 seconds long.")]
    [InlineData("_default_message_delay", "901", "_default_message_delay can not exceed 900 seconds, and must be at least 0 seconds long.")]
    [InlineData("_max_claim_count", "\"3\"", "_max_claim_count must be integer.")]
    [InlineData("_dead_letter_queue_messages_ttl", "{\"a\":1}", "_dead_letter_queue_messages_ttl must be integer.")]
    [InlineData("_dead_letter_queue_messages_ttl", "59", null)]
    [InlineData("_dead_letter_queue", "5", null)]
    [InlineData("_dead_letter_queue", "\"not a queue!\"", null)]
    [InlineData("_enable_encrypt_messages", "\"yes\"", null)]
    public async Task PutRejectsAReservedKeyOfTheWrongTypeOrRange(string key, string value, string? description)
    {
        using var client = server.NewProject();

        var response = await client.PutAsync("/v2/queues/reserved", $"{{\"{key}\":{value}}}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        if (description is not null)
        {
            Assert.Equal(description, response.Description);
        }
        Assert.Empty((await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }

    [Theory]
    [InlineData("_default_message_ttl", "0")]
    [InlineData("_default_message_ttl", "null")]
    [InlineData("_max_messages_post_size", "false")]
    [InlineData("_default_message_delay", "\"\"")]
    [InlineData("_max_claim_count", "[]")]
    [InlineData("_dead_letter_queue", "\"\"")]
    [InlineData("_dead_letter_queue_messages_ttl", "{}")]
    [InlineData("_enable_encrypt_messages", "0")]
    public async Task AFalsyReservedValueCountsAsUnset(string key, string value)
    {
        using var client = server.NewProject();
        var defaults = (await client.GetAsync("/v2/queues/never-created")).Json!;

        var response = await client.PutAsync("/v2/queues/falsy", $"{{\"{key}\":{value}}}");
        var metadata = (await client.GetAsync("/v2/queues/falsy")).Json!;

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.True(JsonNode.DeepEquals(defaults[key], metadata[key]), $"{key}: {metadata[key]?.ToJsonString()}");
    }

    [Fact]
    public async Task ValidReservedAndCustomMetadataIsStoredAsGiven()
    {
        using var client = server.NewProject();
        var metadata = JsonNode.Parse("""
            {"_default_message_ttl":120,"_max_messages_post_size":1000,"_default_message_delay":30,"_max_claim_count":3,
             "_dead_letter_queue":"dlq","_dead_letter_queue_messages_ttl":600,"_enable_encrypt_messages":true,
             "color":"blue","nested":{"list":[1,"two",null]}}
            """)!;

        await client.CreateQueueAsync("configured", metadata.ToJsonString());
        var stored = (await client.GetAsync("/v2/queues/configured")).Json!;

        Assert.True(JsonNode.DeepEquals(metadata, stored), stored.ToJsonString());
    }

    [Fact]
    public async Task GetFillsInOnlyTheReservedKeysThatAreMissing()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("partial", new { _default_message_ttl = 100, color = "red" });

        var metadata = (await client.GetAsync("/v2/queues/partial")).Json!.AsObject();

        Assert.Equal(100, metadata["_default_message_ttl"]!.GetValue<int>());
        Assert.Equal("red", metadata["color"]!.GetValue<string>());
        Assert.Equal(262144, metadata["_max_messages_post_size"]!.GetValue<int>());
        Assert.Equal(0, metadata["_default_message_delay"]!.GetValue<int>());
        Assert.False(metadata["_enable_encrypt_messages"]!.GetValue<bool>());
        foreach (var key in new[] { "_dead_letter_queue", "_dead_letter_queue_messages_ttl", "_max_claim_count" })
        {
            Assert.True(metadata.ContainsKey(key), key);
            Assert.Null(metadata[key]);
        }
    }

    [Fact]
    public async Task QueuesOfOneProjectAreInvisibleToAnother()
    {
        using var owner = server.NewProject();
        using var stranger = server.NewProject();
        await owner.CreateQueueAsync("private", new { secret = 1 });

        var metadata = (await stranger.GetAsync("/v2/queues/private")).Json!.AsObject();
        var listing = (await stranger.GetAsync("/v2/queues")).Json!;

        Assert.False(metadata.ContainsKey("secret"));
        Assert.Empty(listing["queues"]!.AsArray());
    }
}
