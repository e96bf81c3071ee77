using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>
/// /v2/topics/{topic}/messages: post, list, get, delete and pop with the queue message rules (zaqar-v2-api.md
/// sections 3 and 8), topic hrefs, and no claims.
/// </summary>
public sealed class TopicMessageTests(ZaqarTestServer server)
{
    [Fact]
    public async Task APostAnswersCreatedWithTopicResourcesAndLocation()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/topics/news/messages", new { messages = new object[] { new { body = 1 }, new { body = "two", ttl = 120 } } });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var resources = response.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(2, resources.Count);
        Assert.All(resources, r => Assert.StartsWith("/v2/topics/news/messages/", r, StringComparison.Ordinal));
        var ids = resources.Select(r => r.Split('/')[^1]);
        Assert.Equal("/v2/topics/news/messages?ids=" + string.Join(",", ids), response.Location);
    }

    [Fact]
    public async Task PostsAreValidatedAsOnAQueue()
    {
        using var client = server.NewProject();

        var noBody = await client.PostAsync("/v2/topics/news/messages", new { messages = new[] { new { ttl = 60 } } });
        var shortTtl = await client.PostAsync("/v2/topics/news/messages", new { messages = new[] { new { body = 1, ttl = 10 } } });
        var empty = await client.PostAsync("/v2/topics/news/messages", new { messages = Array.Empty<object>() });

        noBody.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "Missing \"body\" field.");
        shortTtl.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "must be at least 60 seconds long.");
        empty.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "No messages to enqueu.");
    }

    [Fact]
    public async Task TheTopicsReservedMetadataAppliesToItsPosts()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("news", new { _default_message_ttl = 120, _max_messages_post_size = 100 });

        var small = await client.PostAsync("/v2/topics/news/messages", new { messages = new[] { new { body = 1 } } });
        var large = await client.PostAsync("/v2/topics/news/messages", new { messages = new[] { new { body = new string('x', 200) } } });
        var listed = await client.GetAsync("/v2/topics/news/messages?echo=true");

        Assert.Equal(HttpStatusCode.Created, small.Status);
        large.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "The max size for current queue is 100.");
        Assert.Equal(120, listed.Json!["messages"]![0]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task ListingUsesTopicHrefsAndLinksAndHidesTheCallersOwnMessagesWithoutEcho()
    {
        using var client = server.NewProject();
        using var other = client.AsOtherClient(server.Factory.CreateClient());
        var ids = await client.PostTopicMessagesAsync("news", "a", "b", "c");

        var own = await client.GetAsync("/v2/topics/news/messages");
        var page = await client.GetAsync("/v2/topics/news/messages?echo=true&limit=2");
        var seenByOther = await other.GetAsync("/v2/topics/news/messages");

        Assert.Equal("""{"messages":[],"links":[]}""", own.Text);
        Assert.Equal(ids[..2], page.Ids());
        var first = page.Json!["messages"]![0]!.AsObject();
        Assert.Equal(["age", "body", "href", "id", "ttl"], first.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal($"/v2/topics/news/messages/{ids[0]}", first["href"]!.GetValue<string>());
        var next = page.Json!["links"]![0]!["href"]!.GetValue<string>();
        Assert.Equal($"/v2/topics/news/messages?limit=2&echo=true&marker={ids[1]}", next);
        Assert.Equal([ids[2]], (await client.GetAsync(next)).Ids());
        Assert.Equal(ids, seenByOther.Ids());
    }

    [Fact]
    public async Task DelayedMessagesOfADelayedTopicAreListedOnlyWithIncludeDelayed()
    {
        using var client = server.NewProject();
        await client.CreateTopicAsync("later", new { _default_message_delay = 300 });
        await client.PostTopicMessagesAsync("later", "delayed");

        var hidden = await client.GetAsync("/v2/topics/later/messages?echo=true");
        var shown = await client.GetAsync("/v2/topics/later/messages?echo=true&include_delayed=true");

        Assert.Empty(hidden.Ids());
        Assert.Single(shown.Ids());
    }

    [Fact]
    public async Task MessagesAreReadByIdAndByIds()
    {
        using var client = server.NewProject();
        var ids = await client.PostTopicMessagesAsync("news", new { n = 1 }, new { n = 2 });

        var one = await client.GetAsync($"/v2/topics/news/messages/{ids[1]}");
        var many = await client.GetAsync($"/v2/topics/news/messages?ids={ids[0]},{ids[1]}&limit=1");
        var unknown = await client.GetAsync("/v2/topics/news/messages/00000000-0000-0001-0000-000000000000");
        var none = await client.GetAsync("/v2/topics/news/messages?ids=00000000-0000-0001-0000-000000000000");

        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal(2, one.Json!["body"]!["n"]!.GetValue<int>());
        Assert.Equal($"/v2/topics/news/messages/{ids[1]}", one.Json!["href"]!.GetValue<string>());
        Assert.Equal(ids, many.Ids());
        unknown.AssertError(HttpStatusCode.NotFound, "Not found");
        none.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task DeletingByIdOrIdsAnswersNoContent()
    {
        using var client = server.NewProject();
        var ids = await client.PostTopicMessagesAsync("news", "a", "b", "c");

        var one = await client.DeleteAsync($"/v2/topics/news/messages/{ids[0]}");
        var again = await client.DeleteAsync($"/v2/topics/news/messages/{ids[0]}");
        var many = await client.DeleteAsync($"/v2/topics/news/messages?ids={ids[1]},{ids[2]}");

        Assert.Equal(HttpStatusCode.NoContent, one.Status);
        Assert.Equal(HttpStatusCode.NoContent, again.Status);
        Assert.Equal(HttpStatusCode.NoContent, many.Status);
        Assert.Equal(0, await client.TopicTotalAsync("news"));
    }

    [Fact]
    public async Task AClaimIdOnATopicMessageNamesAClaimTheMessageCannotHave()
    {
        using var client = server.NewProject();
        var ids = await client.PostTopicMessagesAsync("news", "a");

        var response = await client.DeleteAsync($"/v2/topics/news/messages/{ids[0]}?claim_id={Guid.NewGuid()}");

        response.AssertError(HttpStatusCode.BadRequest, "Unable to delete", "A claim was specified, but the message is not currently claimed.");
        Assert.Equal(1, await client.TopicTotalAsync("news"));
    }

    [Fact]
    public async Task PopRemovesAndReturnsTheOldestMessagesWithoutClaimFields()
    {
        using var client = server.NewProject();
        var ids = await client.PostTopicMessagesAsync("news", "a", "b", "c");

        var popped = await client.DeleteAsync("/v2/topics/news/messages?pop=2");

        Assert.Equal(HttpStatusCode.OK, popped.Status);
        Assert.Equal(ids[..2], popped.Ids());
        Assert.Equal(["age", "body", "id", "ttl"], popped.Json!["messages"]![0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(1, await client.TopicTotalAsync("news"));
    }

    [Theory]
    [InlineData("pop=0", "Pop value must be at least 1 and may not be greater than 20.")]
    [InlineData("pop=1&ids=00000000-0000-0001-0000-000000000000", "pop and id params cannot be present together in the delete request.")]
    [InlineData("", "The request should have either \"ids\" or \"pop\" parameter in the request, to be able to delete.")]
    public async Task BulkDeleteNeedsExactlyOneOfIdsAndPop(string query, string description)
    {
        using var client = server.NewProject();

        var response = await client.DeleteAsync("/v2/topics/news/messages?" + query);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", description);
    }

    [Fact]
    public async Task DeleteByIdsNeedsNoClaimIdsOnATopicEvenWhenQueuesRequireThem()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:MessageDeleteWithClaimId"] = "true" });
        using var client = factory.NewProject();
        var ids = await client.PostTopicMessagesAsync("news", "a");

        var response = await client.DeleteAsync($"/v2/topics/news/messages?ids={ids[0]}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(0, await client.TopicTotalAsync("news"));
    }
}
