using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

public sealed class QueueLifecycleTests(ZaqarTestServer server)
{
    [Fact]
    public async Task PutCreatesAQueueOnceThenAnswersNoContent()
    {
        using var client = server.NewProject();
        var created = await client.PutAsync("/v2/queues/orders", new { color = "blue" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/v2/queues/orders", created.Location);

        var again = await client.PutAsync("/v2/queues/orders", new { color = "red" });
        Assert.Equal(HttpStatusCode.NoContent, again.Status);

        var metadata = (await client.GetAsync("/v2/queues/orders")).Json!;
        Assert.Equal("blue", metadata["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetFillsInReservedMetadataDefaults()
    {
        using var client = server.NewProject();
        var metadata = (await client.GetAsync("/v2/queues/never-created")).Json!.AsObject();
        Assert.Equal(262144, metadata["_max_messages_post_size"]!.GetValue<int>());
        Assert.Equal(3600, metadata["_default_message_ttl"]!.GetValue<int>());
        Assert.Equal(0, metadata["_default_message_delay"]!.GetValue<int>());
        Assert.True(metadata.ContainsKey("_dead_letter_queue"));
        Assert.Null(metadata["_dead_letter_queue"]);
        Assert.Null(metadata["_max_claim_count"]);
        Assert.False(metadata["_enable_encrypt_messages"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DeleteRemovesTheQueueAndItsMessages()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("doomed", "a", "b");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v2/queues/doomed")).Status);
        var stats = (await client.GetAsync("/v2/queues/doomed/stats")).Json!;
        Assert.Equal(0, stats["messages"]!["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v2/queues/doomed")).Status);
    }
}
