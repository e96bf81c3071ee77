using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>GET /v2/queues/{q}/messages: filters, markers, limits (zaqar-v2-api.md section 3.2 and section 12).</summary>
public sealed class MessageListTests(ZaqarTestServer server)
{
    [Fact]
    public async Task ListedMessagesHaveIdHrefTtlAgeAndBody()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", new { n = 1 });

        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");

        var message = listed.Json!["messages"]![0]!.AsObject();
        Assert.Equal(["id", "href", "ttl", "age", "body"], message.Select(p => p.Key));
        Assert.Equal(ids[0], message["id"]!.GetValue<string>());
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}", message["href"]!.GetValue<string>());
        Assert.Equal(3600, message["ttl"]!.GetValue<int>());
        Assert.InRange(message["age"]!.GetValue<long>(), 0, 300);
    }

    [Fact]
    public async Task AClientDoesNotSeeItsOwnMessagesUnlessItAsksForEcho()
    {
        using var poster = server.NewProject();
        using var other = poster.AsOtherClient(server.Factory.CreateClient());
        var ids = await poster.PostMessagesAsync("q", "mine");

        var ownDefault = await poster.GetAsync("/v2/queues/q/messages");
        var ownEcho = await poster.GetAsync("/v2/queues/q/messages?echo=true");
        var others = await other.GetAsync("/v2/queues/q/messages");

        Assert.Empty(ownDefault.Ids());
        Assert.Equal(ids, ownEcho.Ids());
        Assert.Equal(ids, others.Ids());
    }

    [Fact]
    public async Task ClaimedMessagesAreHiddenUnlessIncludeClaimedAndThenCarryTheirClaimInHref()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);
        var (claimId, _) = await client.ClaimAsync("q", limit: 1);

        var hidden = await client.GetAsync("/v2/queues/q/messages?echo=true");
        // Section 12: upstream fails on include_claimed without a marker; it must just work.
        var included = await client.GetAsync("/v2/queues/q/messages?echo=true&include_claimed=true");
        var afterMarker = await client.GetAsync($"/v2/queues/q/messages?echo=true&include_claimed=true&marker={ids[0]}");

        Assert.Equal(ids[1..], hidden.Ids());
        Assert.Equal(HttpStatusCode.OK, included.Status);
        Assert.Equal(ids, included.Ids());
        var hrefs = included.Json!["messages"]!.AsArray().Select(m => m!["href"]!.GetValue<string>()).ToList();
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}", hrefs[0]);
        Assert.Equal($"/v2/queues/q/messages/{ids[1]}", hrefs[1]);
        Assert.Equal(ids[1..], afterMarker.Ids());
    }

    [Fact]
    public async Task AMarkerStartsAfterThatMessageEvenWhenItIsTheFirst()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);

        var afterFirst = await client.GetAsync($"/v2/queues/q/messages?echo=true&marker={ids[0]}");
        var afterLast = await client.GetAsync($"/v2/queues/q/messages?echo=true&marker={ids[2]}");

        Assert.Equal(ids[1..], afterFirst.Ids());
        Assert.Empty(afterLast.Ids());
    }

    [Fact]
    public async Task AMarkerOfADeletedMessageStillPositionsTheListing()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);
        await client.DeleteAsync($"/v2/queues/q/messages/{ids[1]}");

        var listed = await client.GetAsync($"/v2/queues/q/messages?echo=true&marker={ids[1]}");

        Assert.Equal([ids[2]], listed.Ids());
    }

    [Fact]
    public async Task TheDefaultPageIsTenMessagesAndLimitChangesIt()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", Enumerable.Range(0, 21).Cast<object>().ToArray());

        var byDefault = await client.GetAsync("/v2/queues/q/messages?echo=true");
        var twenty = await client.GetAsync("/v2/queues/q/messages?echo=true&limit=20");
        var one = await client.GetAsync("/v2/queues/q/messages?echo=true&limit=1");

        Assert.Equal(ids[..10], byDefault.Ids());
        Assert.Equal(ids[..20], twenty.Ids());
        Assert.Equal(ids[..1], one.Ids());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public async Task ALimitOutsideOneToTwentyIsRejected(int limit)
    {
        using var client = server.NewProject();

        var response = await client.GetAsync($"/v2/queues/q/messages?limit={limit}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Limit must be at least 1 and may not be greater than 20.", response.Description);
    }

    [Fact]
    public async Task DelayedMessagesAreListedOnlyWithIncludeDelayed()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { _default_message_delay = 600 });
        var ids = await client.PostMessagesAsync("q", "later");

        var hidden = await client.GetAsync("/v2/queues/q/messages?echo=true");
        var included = await client.GetAsync("/v2/queues/q/messages?echo=true&include_delayed=true");
        var claim = await client.PostAsync("/v2/queues/q/claims", new { });

        Assert.Empty(hidden.Ids());
        Assert.Equal(ids, included.Ids());
        Assert.Equal(HttpStatusCode.NoContent, claim.Status);
    }

    [Fact]
    public async Task IncludeDelayedIsForcedWhenTheQueueHasNoDefaultDelay()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { _default_message_delay = 600 });
        var ids = await client.PostMessagesAsync("q", "later");
        var patched = await client.PatchAsync("/v2/queues/q", """[{"op":"remove","path":"/metadata/_default_message_delay"}]""");

        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true&include_delayed=false");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(ids, listed.Ids());
    }
}
