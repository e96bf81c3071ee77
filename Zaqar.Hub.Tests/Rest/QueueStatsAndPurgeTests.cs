using System.Globalization;
using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Queue stats, purge and delete (zaqar-v2-api.md section 2.2).</summary>
public sealed class QueueStatsAndPurgeTests(ZaqarTestServer server)
{
    [Fact]
    public async Task StatsOfAMissingOrEmptyQueueAreZerosWithoutOldestOrNewest()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("empty");

        var missing = await client.GetAsync("/v2/queues/missing/stats");
        var empty = await client.GetAsync("/v2/queues/empty/stats");

        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Equal("""{"messages":{"claimed":0,"free":0,"total":0}}""", missing.Text);
        Assert.Equal(missing.Text, empty.Text);
    }

    [Fact]
    public async Task StatsCountClaimedAndFreeMessagesAndDescribeTheOldestAndNewest()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("counted", new { n = 1 }, new { n = 2 }, new { n = 3 });
        var (claimId, _) = await client.ClaimAsync("counted", limit: 1);

        var stats = (await client.GetAsync("/v2/queues/counted/stats")).Json!["messages"]!;

        Assert.Equal(1, stats["claimed"]!.GetValue<long>());
        Assert.Equal(2, stats["free"]!.GetValue<long>());
        Assert.Equal(3, stats["total"]!.GetValue<long>());
        var oldest = stats["oldest"]!.AsObject();
        Assert.Equal(["age", "body", "claim_count", "claim_id", "created", "href", "ttl"], oldest.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal($"/v2/queues/counted/messages/{ids[0]}", oldest["href"]!.GetValue<string>());
        Assert.Equal(claimId, oldest["claim_id"]!.GetValue<string>());
        Assert.Equal(1, oldest["claim_count"]!.GetValue<int>());
        Assert.Equal(1, oldest["body"]!["n"]!.GetValue<int>());
        Assert.Equal(3600, stats["newest"]!["ttl"]!.GetValue<int>());
        Assert.Equal($"/v2/queues/counted/messages/{ids[2]}", stats["newest"]!["href"]!.GetValue<string>());
        Assert.Null(stats["newest"]!["claim_id"]);
        Assert.Equal(0, stats["newest"]!["claim_count"]!.GetValue<int>());
        var created = DateTime.ParseExact(oldest["created"]!.GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(created, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.InRange(oldest["age"]!.GetValue<long>(), 0, 300);
    }

    [Fact]
    public async Task DeletingAQueueAnswersNoContentWhetherOrNotItExisted()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue" });
        await client.PostMessagesAsync("q", "a");

        var deleted = await client.DeleteAsync("/v2/queues/q");
        var again = await client.DeleteAsync("/v2/queues/never");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, again.Status);
        Assert.False((await client.GetAsync("/v2/queues/q")).Json!.AsObject().ContainsKey("color"));
        Assert.Equal(0, await client.TotalAsync("q"));
    }

    [Fact]
    public async Task PurgeWithoutABodyRemovesEveryMessageAndKeepsTheQueue()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue" });
        await client.PostMessagesAsync("q", "a", "b", "c");
        await client.ClaimAsync("q", limit: 1);

        var purged = await client.PostAsync("/v2/queues/q/purge");

        Assert.Equal(HttpStatusCode.NoContent, purged.Status);
        Assert.Equal(0, await client.TotalAsync("q"));
        Assert.Equal("blue", (await client.GetAsync("/v2/queues/q")).Json!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task PurgeRemovesOnlyTheResourceTypesNamed()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("subs-only", "a");
        await client.PostMessagesAsync("messages", "a");

        var subscriptionsOnly = await client.PostAsync("/v2/queues/subs-only/purge", new { resource_types = new[] { "subscriptions" } });
        var messages = await client.PostAsync("/v2/queues/messages/purge", new { resource_types = new[] { "messages" } });
        var nothing = await client.PostAsync("/v2/queues/subs-only/purge", new { resource_types = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.NoContent, subscriptionsOnly.Status);
        Assert.Equal(HttpStatusCode.NoContent, messages.Status);
        Assert.Equal(HttpStatusCode.NoContent, nothing.Status);
        Assert.Equal(1, await client.TotalAsync("subs-only"));
        Assert.Equal(0, await client.TotalAsync("messages"));
    }

    [Fact]
    public async Task PurgingAMissingQueueAnswersNoContent()
    {
        using var client = server.NewProject();

        var purged = await client.PostAsync("/v2/queues/missing/purge");

        Assert.Equal(HttpStatusCode.NoContent, purged.Status);
    }

    [Theory]
    [InlineData("{}", "Post body must contain key \"resource_types\".")]
    [InlineData("""{"types":["messages"]}""", "Post body must contain key \"resource_types\".")]
    [InlineData("""{"resource_types":["messages","claims"]}""", "Resource types must be a sub set of")]
    [InlineData("""{"resource_types":"messages"}""", "Resource types must be a sub set of")]
    public async Task PurgeRejectsAMissingKeyOrUnknownResourceTypes(string body, string description)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", "a");

        var response = await client.PostAsync("/v2/queues/q/purge", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", description);
        Assert.Equal(1, await client.TotalAsync("q"));
    }

    [Fact]
    public async Task PurgeRejectsMalformedJson()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/purge", "{\"resource_types\":");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "Request body could not be parsed.");
    }
}
