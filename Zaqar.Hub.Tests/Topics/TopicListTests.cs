using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>GET /v2/topics: the queue listing's paging, detail, filters and count, under "topics" (zaqar-v2-api.md section 8).</summary>
public sealed class TopicListTests(ZaqarTestServer server)
{
    [Fact]
    public async Task TopicsAreListedInNameOrderWithTopicHrefsAndMetadataOnlyWhenDetailed()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("b", new { color = "blue" });
        await client.CreateTopicAsync("a");

        var plain = await client.GetAsync("/v2/topics");
        var detailed = await client.GetAsync("/v2/topics?detailed=true");

        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(["topics", "links"], plain.Json!.AsObject().Select(p => p.Key));
        Assert.Equal(["a", "b"], plain.TopicNames());
        var first = plain.Json!["topics"]![0]!.AsObject();
        Assert.Equal(["name", "href"], first.Select(p => p.Key));
        Assert.Equal("/v2/topics/a", first["href"]!.GetValue<string>());
        var b = detailed.Json!["topics"]![1]!["metadata"]!.AsObject();
        Assert.Equal("blue", b["color"]!.GetValue<string>());
        Assert.Equal(["_default_message_delay", "_default_message_ttl", "_max_messages_post_size", "color"], b.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PagesLinkToTheNextWithTheCallersParametersUntilOneComesBackEmpty()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("a");
        await client.CreateTopicAsync("b");

        var first = await client.GetAsync("/v2/topics?limit=1&detailed=false");
        var next = first.Json!["links"]![0]!["href"]!.GetValue<string>();
        var second = await client.GetAsync(next);
        var last = await client.GetAsync(second.Json!["links"]![0]!["href"]!.GetValue<string>());

        Assert.Equal("/v2/topics?limit=1&detailed=false&marker=a", next);
        Assert.Equal("next", first.Json!["links"]![0]!["rel"]!.GetValue<string>());
        Assert.Equal(["b"], second.TopicNames());
        Assert.Equal([], last.TopicNames());
        Assert.Equal("[]", last.Json!["links"]!.ToJsonString());
    }

    [Fact]
    public async Task NameFiltersAndWithCountCountsTheMatchesOfAllPages()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news-eu");
        await client.CreateTopicAsync("news-us");
        await client.CreateTopicAsync("weather");

        var page = await client.GetAsync("/v2/topics?name=news&limit=1&with_count=true");
        var none = await client.GetAsync("/v2/topics?name=sport&with_count=true");

        Assert.Equal(["news-eu"], page.TopicNames());
        Assert.Equal(2, page.Json!["count"]!.GetValue<long>());
        Assert.False(none.Json!.AsObject().ContainsKey("count"), "a zero count is left out, as for queues");
    }

    [Fact]
    public async Task UnknownParametersFilterByMetadata()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("a", new { region = "eu", tier = 1 });
        await client.CreateTopicAsync("b", new { region = "us", tier = 1 });

        var eu = await client.GetAsync("/v2/topics?region=eu");
        var tier = await client.GetAsync("/v2/topics?tier=1");

        Assert.Equal(["a"], eu.TopicNames());
        Assert.Equal(["a", "b"], tier.TopicNames());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21")]
    public async Task ALimitOutsideOneToTwentyIsRejected(string limit)
    {
        using var client = server.NewProject();

        var response = await client.GetAsync($"/v2/topics?limit={limit}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Limit must be at least 1 and no greater than 20.");
    }

    [Fact]
    public async Task PostingToAMissingTopicCreatesIt()
    {
        using var client = server.NewProject();

        await client.PostTopicMessagesAsync("lazy", "a");

        Assert.Equal(["lazy"], (await client.GetAsync("/v2/topics")).TopicNames());
    }
}
