using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>POST /v2/queues/{q}/claims (zaqar-v2-api.md section 4).</summary>
public sealed class ClaimCreateTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AClaimAnswersCreatedWithItsLocationAndMessagesWhoseHrefsCarryIt()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", new { n = 1 }, new { n = 2 });

        var response = await client.PostAsync("/v2/queues/q/claims", new { ttl = 120, grace = 60 });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.StartsWith("/v2/queues/q/claims/", response.Location, StringComparison.Ordinal);
        var claimId = response.Location!["/v2/queues/q/claims/".Length..];
        Assert.True(Guid.TryParse(claimId, out _), claimId);
        Assert.Equal(["messages"], response.Json!.AsObject().Select(p => p.Key));
        var messages = response.Json["messages"]!.AsArray();
        Assert.Equal(ids, response.Ids());
        Assert.Equal(["id", "href", "ttl", "age", "body"], messages[0]!.AsObject().Select(p => p.Key));
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}", messages[0]!["href"]!.GetValue<string>());
        Assert.Equal(2, messages[1]!["body"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task NothingClaimableAnswersNoContentWithoutABody()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("empty");
        await client.PostMessagesAsync("taken", 1);
        await client.ClaimAsync("taken");

        var empty = await client.PostAsync("/v2/queues/empty/claims", new { });
        var missing = await client.PostAsync("/v2/queues/missing/claims", new { });
        var taken = await client.PostAsync("/v2/queues/taken/claims", new { });

        foreach (var response in new[] { empty, missing, taken })
        {
            Assert.Equal(HttpStatusCode.NoContent, response.Status);
            Assert.Empty(response.Text);
            Assert.Null(response.Location);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public async Task WithoutTtlAndGraceAClaimLastsFiveMinutesAndKeepsMessagesAMinuteLonger(string? body)
    {
        using var client = server.NewProject();
        await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":1,"ttl":60},{"body":2,"ttl":3600}]}""");

        var response = await client.PostAsync("/v2/queues/q/claims", body);
        var claim = await client.GetAsync(response.Location!);

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal(300, claim.Json!["ttl"]!.GetValue<int>());
        // A message that would expire before the claim does lives on for the claim's ttl plus grace.
        Assert.Equal([360, 3600], response.Json!["messages"]!.AsArray().Select(m => m!["ttl"]!.GetValue<int>()));
    }

    [Fact]
    public async Task TtlAndGraceGivenDecideHowLongMessagesAreKept()
    {
        using var client = server.NewProject();
        await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":1,"ttl":60}]}""");

        var (_, messages) = await client.ClaimAsync("q", new { ttl = 120, grace = 100 });

        Assert.Equal(220, messages[0]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task AClaimTakesTenMessagesByDefaultAndLimitChangesIt()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", Enumerable.Range(0, 14).Cast<object>().ToArray());

        var (_, first) = await client.ClaimAsync("q");
        var (_, second) = await client.ClaimAsync("q", limit: 3);

        Assert.Equal(ids[..10], first.Select(m => m!["id"]!.GetValue<string>()));
        Assert.Equal(ids[10..13], second.Select(m => m!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public async Task ALimitOutsideOneToTwentyIsRejected(int limit)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.PostAsync($"/v2/queues/q/claims?limit={limit}", new { });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Limit must be at least 1 and may not be greater than 20.", response.Description);
    }

    [Theory]
    [InlineData("""{"ttl":59}""", "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("""{"ttl":43201}""", "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("""{"grace":59}""", "The grace for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("""{"grace":43201}""", "The grace for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    public async Task TtlAndGraceOutsideOneMinuteToTwelveHoursAreRejected(string body, string description)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.PostAsync("/v2/queues/q/claims", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal(description, response.Description);
        await client.ClaimAsync("q");
    }

    [Fact]
    public async Task TtlAndGraceAtTheLimitsAreAcceptedAndTakeEffect()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1, 2);

        var (shortClaim, _) = await client.ClaimAsync("q", new { ttl = 60, grace = 43200 }, limit: 1);
        var (longClaim, _) = await client.ClaimAsync("q", new { ttl = 43200, grace = 60 }, limit: 1);

        // The claim lives its ttl; its messages live at least the claim's ttl plus its grace (Zaqar's rule).
        var first = (await client.GetAsync($"/v2/queues/q/claims/{shortClaim}")).Json!;
        Assert.Equal(60, first["ttl"]!.GetValue<int>());
        Assert.Equal(60 + 43200, Assert.Single(first["messages"]!.AsArray())!["ttl"]!.GetValue<int>());
        var second = (await client.GetAsync($"/v2/queues/q/claims/{longClaim}")).Json!;
        Assert.Equal(43200, second["ttl"]!.GetValue<int>());
        Assert.Equal(43200 + 60, Assert.Single(second["messages"]!.AsArray())!["ttl"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"ttl":"300"}""", "The value of the \"ttl\" field must be a int.")]
    [InlineData("""{"ttl":300.5}""", "The value of the \"ttl\" field must be a int.")]
    [InlineData("""{"ttl":null}""", "The value of the \"ttl\" field must be a int.")]
    [InlineData("""{"grace":[60]}""", "The value of the \"grace\" field must be a int.")]
    [InlineData("""[{"ttl":300}]""", "Document type not supported.")]
    [InlineData("\"ttl\"", null)]
    [InlineData("""{"ttl":""", "Request body could not be parsed.")]
    public async Task MalformedClaimDocumentsAreRejected(string body, string? description)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.PostAsync("/v2/queues/q/claims", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
        if (description is not null)
        {
            Assert.Equal(description, response.Description);
        }
        await client.ClaimAsync("q");
    }

    [Fact]
    public async Task ClaimedMessagesAreHiddenFromOtherClaimsAndFromDefaultListings()
    {
        using var poster = server.NewProject();
        using var reader = poster.AsOtherClient(server.Factory.CreateClient());
        var ids = await poster.PostMessagesAsync("q", 1, 2, 3);

        var (_, first) = await reader.ClaimAsync("q", limit: 2);
        var (_, second) = await reader.ClaimAsync("q", limit: 2);
        var listed = await reader.GetAsync("/v2/queues/q/messages");
        var none = await reader.PostAsync("/v2/queues/q/claims", new { });

        Assert.Equal(ids[..2], first.Select(m => m!["id"]!.GetValue<string>()));
        Assert.Equal([ids[2]], second.Select(m => m!["id"]!.GetValue<string>()));
        Assert.Empty(listed.Ids());
        Assert.Equal(HttpStatusCode.NoContent, none.Status);
    }
}
