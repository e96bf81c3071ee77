using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>GET /v2/queues: paging, detail, name and metadata filters, counts (zaqar-v2-api.md section 2.2).</summary>
public sealed class QueueListTests(ZaqarTestServer server)
{
    private static List<string> Names(ZaqarClient.Response listing) =>
        listing.Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task QueuesAreListedInNameOrderWithTheirHrefAndNoMetadataUnlessDetailed()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("b", new { color = "blue" });
        await client.CreateQueueAsync("a");

        var plain = await client.GetAsync("/v2/queues");
        var detailed = await client.GetAsync("/v2/queues?detailed=true");

        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(["a", "b"], Names(plain));
        var first = plain.Json!["queues"]![0]!.AsObject();
        Assert.Equal(["name", "href"], first.Select(p => p.Key));
        Assert.Equal("/v2/queues/a", first["href"]!.GetValue<string>());
        var b = detailed.Json!["queues"]![1]!["metadata"]!;
        Assert.Equal("blue", b["color"]!.GetValue<string>());
        Assert.Equal(3600, b["_default_message_ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task TheDefaultPageIsTenQueues()
    {
        using var client = server.NewProject();
        for (var i = 0; i < 11; i++)
        {
            await client.CreateQueueAsync($"q{i:D2}");
        }

        var page = await client.GetAsync("/v2/queues");

        Assert.Equal(10, Names(page).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    [InlineData(-1)]
    public async Task ALimitOutsideOneToTwentyIsRejected(int limit)
    {
        using var client = server.NewProject();

        var response = await client.GetAsync($"/v2/queues?limit={limit}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Limit must be at least 1 and no greater than 20.", response.Description);
    }

    [Fact]
    public async Task AMarkerStartsTheListingAfterThatName()
    {
        using var client = server.NewProject();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await client.CreateQueueAsync(name);
        }

        var afterA = await client.GetAsync("/v2/queues?marker=a");
        var afterMissing = await client.GetAsync("/v2/queues?marker=bb");

        Assert.Equal(["b", "c"], Names(afterA));
        Assert.Equal(["c"], Names(afterMissing));
    }

    [Fact]
    public async Task TheNameParameterNarrowsTheListing()
    {
        using var client = server.NewProject();
        foreach (var name in new[] { "orders", "orders-eu", "billing" })
        {
            await client.CreateQueueAsync(name);
        }

        var listing = await client.GetAsync("/v2/queues?name=orders");

        Assert.Equal(["orders", "orders-eu"], Names(listing));
    }

    [Fact]
    public async Task WithCountAddsTheNumberOfMatchingQueuesNotJustThePage()
    {
        using var client = server.NewProject();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await client.CreateQueueAsync(name);
        }

        var listing = await client.GetAsync("/v2/queues?limit=1&with_count=true");
        var without = await client.GetAsync("/v2/queues?limit=1");

        Assert.Equal(System.Text.Json.JsonValueKind.Number, listing.Json!["count"]!.GetValueKind());
        Assert.Equal(3, listing.Json["count"]!.GetValue<long>());
        Assert.False(without.Json!.AsObject().ContainsKey("count"));
    }

    [Fact]
    public async Task WithCountLeavesTheCountOutWhenItIsZero()
    {
        using var client = server.NewProject();

        var listing = await client.GetAsync("/v2/queues?with_count=true");

        Assert.Equal("""{"queues":[],"links":[]}""", listing.Text);
    }

    [Fact]
    public async Task OtherParametersFilterOnMetadataWithNumbersComparedAsNumbers()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("blue", new { color = "blue", size = 5 });
        await client.CreateQueueAsync("red", new { color = "red", size = 5 });
        await client.CreateQueueAsync("text-size", new { color = "blue", size = "5" });

        var blue = await client.GetAsync("/v2/queues?color=blue");
        var five = await client.GetAsync("/v2/queues?size=5");
        var both = await client.GetAsync("/v2/queues?size=5&color=red&with_count=true");

        Assert.Equal(["blue", "text-size"], Names(blue));
        Assert.Equal(["blue", "red"], Names(five));
        Assert.Equal(["red"], Names(both));
        Assert.Equal(1, both.Json!["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task DeletedQueuesLeaveTheListing()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("kept");
        await client.CreateQueueAsync("gone");

        var deleted = await client.DeleteAsync("/v2/queues/gone");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(["kept"], Names(await client.GetAsync("/v2/queues")));
    }
}
