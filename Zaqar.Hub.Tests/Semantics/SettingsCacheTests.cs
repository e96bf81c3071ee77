using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Semantics;

/// <summary>The post path caches queue settings; a change made on another node must still apply to the very next post.</summary>
public sealed class SettingsCacheTests(ZaqarTestServer server)
{
    [Fact]
    public async Task APostRightAfterAnotherNodeChangedTheQueueFollowsTheNewSettings()
    {
        await using var other = server.CreateFactory();
        using var here = server.NewProject();
        using var there = new ZaqarClient(other.CreateClient(), here.Project, Guid.NewGuid().ToString());

        await here.PostMessagesAsync("q", "warms the cache");
        await there.PatchAsync("/v2/queues/q", new[] { new { op = "add", path = "/metadata/_default_message_ttl", value = 120 } });
        await here.PostMessagesAsync("q", "after the change");
        await there.PatchAsync("/v2/queues/q", new[] { new { op = "add", path = "/metadata/_enable_encrypt_messages", value = true } });
        await here.PostMessagesAsync("q", "encrypted now");

        var listed = (await here.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal([3600, 120, 120], listed.Select(m => m!["ttl"]!.GetValue<int>()));
        Assert.Equal("encrypted now", listed[2]!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task APostRightAfterAnotherNodeRecreatedTheQueueWithMetadataFollowsIt()
    {
        await using var other = server.CreateFactory();
        using var here = server.NewProject();
        using var there = new ZaqarClient(other.CreateClient(), here.Project, Guid.NewGuid().ToString());

        await here.PostMessagesAsync("q", "warms the cache");
        await there.DeleteAsync("/v2/queues/q");
        await there.PutAsync("/v2/queues/q", new { _default_message_ttl = 90 });
        await here.PostMessagesAsync("q", "on the new queue");

        var listed = (await here.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal(90, Assert.Single(listed)!["ttl"]!.GetValue<int>());
    }
}
