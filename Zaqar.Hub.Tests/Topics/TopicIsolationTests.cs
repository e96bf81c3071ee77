using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>
/// Topics live in a name space of their own: a queue of the same name is another resource, other projects see
/// nothing, and the claim routes do not exist under /v2/topics.
/// </summary>
public sealed class TopicIsolationTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AQueueAndATopicOfTheSameNameKeepTheirOwnMetadataMessagesAndStats()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("shared", new { kind = "queue" });
        await client.CreateTopicAsync("shared", new { kind = "topic" });
        var queued = await client.PostMessagesAsync("shared", "to the queue");
        var published = await client.PostTopicMessagesAsync("shared", "to the topic", "again");

        Assert.Equal("queue", (await client.GetAsync("/v2/queues/shared")).Json!["kind"]!.GetValue<string>());
        Assert.Equal("topic", (await client.GetAsync("/v2/topics/shared")).Json!["kind"]!.GetValue<string>());
        Assert.Equal(1, await client.TotalAsync("shared"));
        Assert.Equal(2, await client.TopicTotalAsync("shared"));
        Assert.Equal(queued, (await client.GetAsync("/v2/queues/shared/messages?echo=true")).Ids());
        Assert.Equal(published, (await client.GetAsync("/v2/topics/shared/messages?echo=true")).Ids());
        Assert.Equal(["shared"], (await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        Assert.Equal(["shared"], (await client.GetAsync("/v2/topics")).TopicNames());
    }

    [Fact]
    public async Task AMessageIsReachableOnlyThroughItsOwnResource()
    {
        using var client = server.NewProject();
        var queued = (await client.PostMessagesAsync("shared", "q"))[0];
        var published = (await client.PostTopicMessagesAsync("shared", "t"))[0];

        var queueMessageViaTopic = await client.GetAsync($"/v2/topics/shared/messages/{queued}");
        var topicMessageViaQueue = await client.GetAsync($"/v2/queues/shared/messages?ids={published}");
        await client.DeleteAsync($"/v2/topics/shared/messages?ids={queued}");
        await client.DeleteAsync($"/v2/queues/shared/messages/{published}");

        queueMessageViaTopic.AssertError(HttpStatusCode.NotFound, "Not found");
        topicMessageViaQueue.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Equal(1, await client.TotalAsync("shared"));
        Assert.Equal(1, await client.TopicTotalAsync("shared"));
    }

    [Fact]
    public async Task DeletingOrPurgingOneLeavesTheOtherAlone()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("shared", "q");
        await client.PostTopicMessagesAsync("shared", "t");

        await client.PostAsync("/v2/topics/shared/purge");
        Assert.Equal(1, await client.TotalAsync("shared"));
        await client.PostTopicMessagesAsync("shared", "t");
        await client.DeleteAsync("/v2/queues/shared");

        Assert.Equal(0, await client.TotalAsync("shared"));
        Assert.Equal(1, await client.TopicTotalAsync("shared"));
        Assert.Equal(["shared"], (await client.GetAsync("/v2/topics")).TopicNames());
    }

    [Fact]
    public async Task AnotherProjectSeesNoneOfATopic()
    {
        using var mine = server.NewProject();
        using var theirs = server.NewProject();
        var ids = await mine.PostTopicMessagesAsync("news", "secret");

        Assert.Equal([], (await theirs.GetAsync("/v2/topics")).TopicNames());
        (await theirs.GetAsync($"/v2/topics/news/messages/{ids[0]}")).AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Equal(HttpStatusCode.NoContent, (await theirs.DeleteAsync($"/v2/topics/news/messages?ids={ids[0]}")).Status);
        Assert.Equal(0, await theirs.TopicTotalAsync("news"));
        Assert.Equal(1, await mine.TopicTotalAsync("news"));
    }

    [Theory]
    [InlineData("POST", "/v2/topics/news/claims")]
    [InlineData("POST", "/v2/topics/news/claims?limit=1")]
    [InlineData("GET", "/v2/topics/news/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("PATCH", "/v2/topics/news/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("DELETE", "/v2/topics/news/claims/3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task TopicsHaveNoClaimRoutes(string method, string path)
    {
        using var client = server.NewProject();
        await client.PostTopicMessagesAsync("news", "a");

        var response = await client.SendAsync(new HttpMethod(method), path, method is "POST" or "PATCH" ? """{"ttl":60}""" : null);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", response.Text);
        Assert.Equal(1, await client.TopicTotalAsync("news"));
    }

    [Fact]
    public async Task TheHomeDocumentListsNoTopicRelationsAsZaqarsDoesNot()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/", RestTestHelpers.ValidHeaders());

        Assert.DoesNotContain(response.Json!["resources"]!.AsObject(), r => r.Key.StartsWith("rel/topic", StringComparison.Ordinal));
    }
}
