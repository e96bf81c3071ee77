using System.Globalization;
using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>Topic stats (a total only, no claims) and purge (zaqar-v2-api.md section 8).</summary>
public sealed class TopicStatsAndPurgeTests(ZaqarTestServer server)
{
    [Fact]
    public async Task StatsOfAMissingOrEmptyTopicAreATotalOfZero()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("empty");

        var missing = await client.GetAsync("/v2/topics/missing/stats");
        var empty = await client.GetAsync("/v2/topics/empty/stats");

        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Equal("""{"messages":{"total":0}}""", missing.Text);
        Assert.Equal(missing.Text, empty.Text);
    }

    [Fact]
    public async Task StatsCountTheMessagesAndDescribeTheOldestAndNewestWithoutClaimFields()
    {
        using var client = server.NewProject();
        var ids = await client.PostTopicMessagesAsync("counted", new { n = 1 }, new { n = 2 }, new { n = 3 });

        var stats = (await client.GetAsync("/v2/topics/counted/stats")).Json!["messages"]!.AsObject();

        Assert.Equal(["total", "oldest", "newest"], stats.Select(p => p.Key));
        Assert.Equal(3, stats["total"]!.GetValue<long>());
        var oldest = stats["oldest"]!.AsObject();
        Assert.Equal(["age", "body", "created", "href", "ttl"], oldest.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal($"/v2/topics/counted/messages/{ids[0]}", oldest["href"]!.GetValue<string>());
        Assert.Equal(1, oldest["body"]!["n"]!.GetValue<int>());
        Assert.Equal(3600, oldest["ttl"]!.GetValue<int>());
        Assert.Equal($"/v2/topics/counted/messages/{ids[2]}", stats["newest"]!["href"]!.GetValue<string>());
        var created = DateTime.ParseExact(oldest["created"]!.GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(created, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task PurgeWithoutABodyRemovesEveryMessageAndKeepsTheTopic()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news", new { color = "blue" });
        await client.PostTopicMessagesAsync("news", "a", "b");

        var purged = await client.PostAsync("/v2/topics/news/purge");

        Assert.Equal(HttpStatusCode.NoContent, purged.Status);
        Assert.Equal(0, await client.TopicTotalAsync("news"));
        Assert.Equal("blue", (await client.GetAsync("/v2/topics/news")).Json!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task PurgeRemovesOnlyTheResourceTypesNamed()
    {
        using var client = server.NewProject();
        await client.PostTopicMessagesAsync("kept", "a");
        await client.PostTopicMessagesAsync("purged", "a");

        var subscriptionsOnly = await client.PostAsync("/v2/topics/kept/purge", new { resource_types = new[] { "subscriptions" } });
        var messages = await client.PostAsync("/v2/topics/purged/purge", new { resource_types = new[] { "messages" } });

        Assert.Equal(HttpStatusCode.NoContent, subscriptionsOnly.Status);
        Assert.Equal(HttpStatusCode.NoContent, messages.Status);
        Assert.Equal(1, await client.TopicTotalAsync("kept"));
        Assert.Equal(0, await client.TopicTotalAsync("purged"));
    }

    [Theory]
    [InlineData("{}", "Post body must contain key \"resource_types\".")]
    [InlineData("""{"resource_types":["messages","claims"]}""", "Resource types must be a sub set of")]
    public async Task PurgeRejectsAMissingKeyOrUnknownResourceTypes(string body, string description)
    {
        using var client = server.NewProject();
        await client.PostTopicMessagesAsync("news", "a");

        var response = await client.PostAsync("/v2/topics/news/purge", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", description);
        Assert.Equal(1, await client.TopicTotalAsync("news"));
    }
}
