using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>GET of one message and of several by ids (zaqar-v2-api.md section 3.3).</summary>
public sealed class MessageGetTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AMessageIsFetchedByItsIdWithItsHref()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", new { n = 1 });

        var response = await client.GetAsync($"/v2/queues/q/messages/{ids[0]}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var message = response.Json!.AsObject();
        Assert.Equal(["id", "href", "ttl", "age", "body"], message.Select(p => p.Key));
        Assert.Equal(ids[0], message["id"]!.GetValue<string>());
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}", message["href"]!.GetValue<string>());
        Assert.Equal(1, message["body"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task AClaimedMessagesHrefCarriesItsClaim()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q");

        var response = await client.GetAsync($"/v2/queues/q/messages/{ids[0]}");

        Assert.Equal($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}", response.Json!["href"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("q", "00000000-0000-0001-0000-000000000000")]
    [InlineData("q", "not-an-id")]
    [InlineData("other", null)]
    [InlineData("missing", null)]
    public async Task AnUnknownMalformedOrElsewhereMessageIsNotFound(string queue, string? id)
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        await client.CreateQueueAsync("other");

        var response = await client.GetAsync($"/v2/queues/{queue}/messages/{id ?? ids[0]}");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task DeletedMessagesAreNotFound()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}");

        var response = await client.GetAsync($"/v2/queues/q/messages/{ids[0]}");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task MessagesAreFetchedByIdsInQueueOrderSkippingUnknownOnes()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);
        var unknown = "00000000-0000-0009-0000-000000000000";

        var response = await client.GetAsync($"/v2/queues/q/messages?ids={ids[2]},{unknown},bogus,{ids[0]}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(["messages"], response.Json!.AsObject().Select(p => p.Key));
        Assert.Equal([ids[0], ids[2]], response.Ids());
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}", response.Json["messages"]![0]!["href"]!.GetValue<string>());
    }

    [Fact]
    public async Task IdsWinOverListingParametersAndEchoDoesNotApply()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        await client.ClaimAsync("q", limit: 1);

        var response = await client.GetAsync($"/v2/queues/q/messages?ids={ids[0]},{ids[1]}&limit=abc&echo=maybe&marker={ids[1]}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(ids, response.Ids());
        Assert.Contains("?claim_id=", response.Json!["messages"]![0]!["href"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchingByIdsNoneOfWhichExistIsNotFound()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.GetAsync("/v2/queues/q/messages?ids=00000000-0000-0009-0000-000000000000,bogus");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task UpToTwentyIdsMayBeFetchedAtOnce()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", Enumerable.Range(0, 21).Cast<object>().ToArray());

        var twenty = await client.GetAsync($"/v2/queues/q/messages?ids={string.Join(",", ids[..20])}");
        var tooMany = await client.GetAsync($"/v2/queues/q/messages?ids={string.Join(",", ids)}");

        Assert.Equal(20, twenty.Ids().Count);
        tooMany.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Limit must be at least 1 and may not be greater than 20.", tooMany.Description);
    }
}
