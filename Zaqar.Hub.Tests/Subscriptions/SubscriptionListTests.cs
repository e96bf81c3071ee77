using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>GET /v2/queues/{q}/subscriptions and the same routes under /v2/topics (sections 1.5, 5.1, 8).</summary>
public sealed class SubscriptionListTests(ZaqarTestServer server)
{
    [Fact]
    public async Task ListingPagesInCreationOrderWithNextLinksUntilAnEmptyPage()
    {
        using var client = server.NewProject();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await client.SubscribeAsync("q", new { subscriber = $"http://127.0.0.1:9/{i}" }));
        }

        var first = await client.GetAsync("/v2/queues/q/subscriptions?limit=2");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(["subscriptions", "links"], first.Json!.AsObject().Select(p => p.Key));
        Assert.Equal(ids[..2], first.Json!["subscriptions"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        var next = first.Json!["links"]![0]!;
        Assert.Equal("next", next["rel"]!.GetValue<string>());
        Assert.Equal($"/v2/queues/q/subscriptions?limit=2&marker={ids[1]}", next["href"]!.GetValue<string>());

        var second = await client.GetAsync(next["href"]!.GetValue<string>());
        Assert.Equal([ids[2]], second.Json!["subscriptions"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        var last = await client.GetAsync(second.Json!["links"]![0]!["href"]!.GetValue<string>());
        Assert.Equal("""{"subscriptions":[],"links":[]}""", last.Text);
    }

    [Fact]
    public async Task TheDefaultPageHoldsTenAndEachItemHasTheShapeOfGet()
    {
        using var client = server.NewProject();
        for (var i = 0; i < 11; i++)
        {
            await client.SubscribeAsync("q", new { subscriber = $"http://127.0.0.1:9/{i}" });
        }

        var page = await client.GetAsync("/v2/queues/q/subscriptions");

        var items = page.Json!["subscriptions"]!.AsArray();
        Assert.Equal(10, items.Count);
        var one = await client.GetAsync($"/v2/queues/q/subscriptions/{items[0]!["id"]!.GetValue<string>()}");
        Assert.Equal(one.Json!.ToJsonString(), items[0]!.ToJsonString());
        Assert.EndsWith($"marker={items[9]!["id"]!.GetValue<string>()}", page.Json!["links"]![0]!["href"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=0", "Invalid API request", "Limit must be at least 1 and may not be greater than 20.")]
    [InlineData("limit=21", "Invalid API request", "Limit must be at least 1 and may not be greater than 20.")]
    [InlineData("limit=ten", "Invalid parameter", "The value must be an integer.")]
    [InlineData("marker=nope", "Invalid parameter", "The \"marker\" parameter is invalid.")]
    public async Task BadPagingParametersAreRefused(string query, string title, string description)
    {
        using var client = server.NewProject();

        (await client.GetAsync("/v2/queues/q/subscriptions?" + query)).AssertError(HttpStatusCode.BadRequest, title, description);
    }

    [Fact]
    public async Task AnEmptyOrMissingQueueListsNothing()
    {
        using var client = server.NewProject();

        Assert.Equal("""{"subscriptions":[],"links":[]}""", (await client.GetAsync("/v2/queues/none/subscriptions")).Text);
    }

    [Fact]
    public async Task TopicsHaveTheSameRoutesInANameSpaceOfTheirOwn()
    {
        using var client = server.NewProject();

        var created = await client.PostAsync("/v2/topics/news/subscriptions", new { subscriber = "http://127.0.0.1:9/t" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/v2/topics/news/subscriptions", created.Location);
        var id = created.Json!["subscription_id"]!.GetValue<string>();

        var listed = await client.GetAsync("/v2/topics/news/subscriptions?limit=1");
        Assert.Equal(id, listed.Json!["subscriptions"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("news", listed.Json!["subscriptions"]![0]!["source"]!.GetValue<string>());
        Assert.Equal($"/v2/topics/news/subscriptions?limit=1&marker={id}", listed.Json!["links"]![0]!["href"]!.GetValue<string>());
        Assert.Empty((await client.GetAsync("/v2/queues/news/subscriptions")).Json!["subscriptions"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/news/subscriptions/{id}")).Status);

        var patched = await client.PatchAsync($"/v2/topics/news/subscriptions/{id}", new { ttl = 100 }, "application/json");
        Assert.Equal($"/v2/topics/news/subscriptions/{id}", patched.Location);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsync($"/v2/topics/news/subscriptions/{id}/confirm", new { confirmed = true })).Status);
        Assert.True((await client.GetAsync($"/v2/topics/news/subscriptions/{id}")).Json!["confirmed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/topics/news/subscriptions/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/topics/news/subscriptions/{id}")).Status);
    }
}
