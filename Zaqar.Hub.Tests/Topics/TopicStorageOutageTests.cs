using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>With the database unreachable every topic route answers 503 with Zaqar's topic texts (zaqar-v2-api.md section 1.3).</summary>
[ExpectsServiceErrors("Storage is made unreachable: every failure is an outage the service must log.")]
public sealed class TopicStorageOutageTests(StorageOutageTests.OutageFactory outage) : IClassFixture<StorageOutageTests.OutageFactory>
{
    [Theory]
    [InlineData("GET", "/v2/topics", null, "Topics could not be listed.")]
    [InlineData("PUT", "/v2/topics/t", null, "Topic could not be created.")]
    [InlineData("GET", "/v2/topics/t", null, "Topic metadata could not be retrieved.")]
    [InlineData("PATCH", "/v2/topics/t", """[{"op":"add","path":"/metadata/a","value":1}]""", "Topic could not be updated.")]
    [InlineData("DELETE", "/v2/topics/t", null, "Topic could not be deleted.")]
    [InlineData("GET", "/v2/topics/t/stats", null, "Topic stats could not be read.")]
    [InlineData("POST", "/v2/topics/t/purge", null, "Topic could not be purged.")]
    [InlineData("POST", "/v2/topics/t/messages", """{"messages":[{"body":1}]}""", "Messages could not be enqueued.")]
    [InlineData("GET", "/v2/topics/t/messages", null, "Messages could not be listed.")]
    [InlineData("GET", "/v2/topics/t/messages/00000000-0000-0001-0000-000000000000", null, "Message could not be retrieved.")]
    [InlineData("DELETE", "/v2/topics/t/messages/00000000-0000-0001-0000-000000000000", null, "Message could not be deleted.")]
    [InlineData("DELETE", "/v2/topics/t/messages?pop=1", null, "Messages could not be popped.")]
    [InlineData("DELETE", "/v2/topics/t/messages?ids=00000000-0000-0001-0000-000000000000", null, "Messages could not be deleted.")]
    public async Task EveryTopicRouteAnswersServiceUnavailable(string method, string path, string? body, string what)
    {
        using var client = outage.Factory.NewProject();
        var contentType = method == "PATCH" ? "application/openstack-messaging-v2.0-json-patch" : "application/json";

        var response = await client.SendAsync(new HttpMethod(method), path, body, contentType);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("Service temporarily unavailable", response.Title);
        Assert.Equal(what + " Please try again in a few seconds.", response.Description);
    }
}
