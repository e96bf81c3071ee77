using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>GET, PATCH and DELETE of a claim (zaqar-v2-api.md section 4).</summary>
public sealed class ClaimItemTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AClaimIsReadWithItsAgeTtlMessagesAndHref()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        var (claimId, _) = await client.ClaimAsync("q", new { ttl = 120 });

        var response = await client.GetAsync($"/v2/queues/q/claims/{claimId}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var claim = response.Json!.AsObject();
        Assert.Equal(["age", "ttl", "messages", "href"], claim.Select(p => p.Key));
        Assert.InRange(claim["age"]!.GetValue<long>(), 0, 60);
        Assert.Equal(120, claim["ttl"]!.GetValue<int>());
        Assert.Equal($"/v2/queues/q/claims/{claimId}", claim["href"]!.GetValue<string>());
        Assert.Equal(ids, response.Ids());
        Assert.Equal($"/v2/queues/q/messages/{ids[1]}?claim_id={claimId}", claim["messages"]![1]!["href"]!.GetValue<string>());
    }

    [Fact]
    public async Task AClaimIsOnlyFoundInItsOwnQueue()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q");

        var response = await client.GetAsync($"/v2/queues/other/claims/{claimId}");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("not-a-claim")]
    public async Task AnUnknownOrMalformedClaimIsNotFound(string claimId)
    {
        using var client = server.NewProject();

        var response = await client.GetAsync($"/v2/queues/q/claims/{claimId}");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task UpdatingAClaimRenewsItAndKeepsItsMessagesForTheNewTtlPlusGrace()
    {
        using var client = server.NewProject();
        await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":1,"ttl":60}]}""");
        var (claimId, _) = await client.ClaimAsync("q", new { ttl = 60, grace = 60 });

        var response = await client.PatchAsync($"/v2/queues/q/claims/{claimId}", new { ttl = 600, grace = 100 }, "application/json");
        var claim = await client.GetAsync($"/v2/queues/q/claims/{claimId}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Empty(response.Text);
        Assert.Equal(600, claim.Json!["ttl"]!.GetValue<int>());
        Assert.Equal(700, claim.Json["messages"]![0]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task UpdatingAClaimDefaultsTheTtlAndDoesNotCheckTheGrace()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q", new { ttl = 60 });

        var response = await client.PatchAsync($"/v2/queues/q/claims/{claimId}", new { grace = 1 }, "application/json");
        var claim = await client.GetAsync($"/v2/queues/q/claims/{claimId}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(300, claim.Json!["ttl"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"ttl":59}""", "Invalid API request", "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("""{"ttl":43201}""", "Invalid API request", "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("""{"ttl":"600"}""", "Invalid request body", "The value of the \"ttl\" field must be a int.")]
    [InlineData("""[600]""", "Invalid request body", "Document type not supported.")]
    [InlineData("""{"ttl":""", "Invalid request body", "Request body could not be parsed.")]
    [InlineData("", "Invalid request body", null)]
    public async Task AnUpdateNeedsADocumentWithAValidTtl(string body, string title, string? description)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q", new { ttl = 120 });

        var response = await client.PatchAsync($"/v2/queues/q/claims/{claimId}", body, "application/json");
        var claim = await client.GetAsync($"/v2/queues/q/claims/{claimId}");

        response.AssertError(HttpStatusCode.BadRequest, title);
        if (description is not null)
        {
            Assert.Equal(description, response.Description);
        }
        Assert.Equal(120, claim.Json!["ttl"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("not-a-claim")]
    public async Task UpdatingAnUnknownClaimIsNotFound(string claimId)
    {
        using var client = server.NewProject();

        var response = await client.PatchAsync($"/v2/queues/q/claims/{claimId}", new { ttl = 300 }, "application/json");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task ReleasingAClaimMakesItsMessagesClaimableAgain()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        var (claimId, _) = await client.ClaimAsync("q");

        var released = await client.DeleteAsync($"/v2/queues/q/claims/{claimId}");
        var gone = await client.GetAsync($"/v2/queues/q/claims/{claimId}");
        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");
        var (_, again) = await client.ClaimAsync("q");

        Assert.Equal(HttpStatusCode.NoContent, released.Status);
        gone.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Equal(ids, listed.Ids());
        Assert.Equal(ids, again.Select(m => m!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("q", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("q", "not-a-claim")]
    [InlineData("missing", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task ReleasingAnUnknownClaimAnswersNoContent(string queue, string claimId)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.DeleteAsync($"/v2/queues/{queue}/claims/{claimId}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
    }

    [Fact]
    public async Task ReleasingAClaimLeavesOtherClaimsAlone()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        var (first, _) = await client.ClaimAsync("q", limit: 1);
        var (second, _) = await client.ClaimAsync("q", limit: 1);

        await client.DeleteAsync($"/v2/queues/q/claims/{first}");
        var kept = await client.GetAsync($"/v2/queues/q/claims/{second}");
        var deleteKept = await client.DeleteAsync($"/v2/queues/q/messages/{ids[1]}");

        Assert.Equal([ids[1]], kept.Ids());
        Assert.Equal(HttpStatusCode.Forbidden, deleteKept.Status);
    }
}
