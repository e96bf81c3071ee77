using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>DELETE of one message with the claim rules, bulk delete by ids, and pop (zaqar-v2-api.md section 3.4).</summary>
public sealed class MessageDeleteTests(ZaqarTestServer server)
{
    private const string Claimed = "This message is claimed; it cannot be deleted without a valid claim ID.";
    private const string NotClaimed = "A claim was specified, but the message is not currently claimed.";
    private const string NoSuchClaim = "The specified claim does not exist or has expired.";

    private static async Task AssertExistsAsync(ZaqarClient client, string id, bool exists = true) =>
        Assert.Equal(exists ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/messages/{id}")).Status);

    [Fact]
    public async Task AnUnclaimedMessageIsDeleted()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        await AssertExistsAsync(client, ids[0], exists: false);
        await AssertExistsAsync(client, ids[1]);
    }

    [Theory]
    [InlineData("q", "00000000-0000-0009-0000-000000000000", null)]
    [InlineData("q", "not-an-id", null)]
    [InlineData("missing", "00000000-0000-0001-0000-000000000000", null)]
    [InlineData("q", "00000000-0000-0009-0000-000000000000", "00000000-0000-0000-0000-000000000001")]
    [InlineData("missing", "not-an-id", "not-a-claim")]
    public async Task DeletingAMessageThatDoesNotExistAnswersNoContent(string queue, string id, string? claimId)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.DeleteAsync($"/v2/queues/{queue}/messages/{id}" + (claimId is null ? "" : $"?claim_id={claimId}"));

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(1, await client.TotalAsync("q"));
    }

    [Fact]
    public async Task AClaimedMessageIsDeletedWithItsClaimId()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q");

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        await AssertExistsAsync(client, ids[0], exists: false);
    }

    [Fact]
    public async Task AClaimedMessageIsNotDeletedWithoutAClaimId()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        await client.ClaimAsync("q");

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}");

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal($$"""{"title":"Unable to delete","description":"{{Claimed}}"}""", response.Text);
        await AssertExistsAsync(client, ids[0]);
    }

    [Fact]
    public async Task AClaimedMessageIsNotDeletedWithAnotherLiveClaimsId()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        await client.ClaimAsync("q", limit: 1);
        var (otherClaim, _) = await client.ClaimAsync("q", limit: 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}?claim_id={otherClaim}");

        response.AssertError(HttpStatusCode.Forbidden, "Unable to delete");
        Assert.Equal(Claimed, response.Description);
        await AssertExistsAsync(client, ids[0]);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task AClaimedMessageIsNotDeletedWithAClaimThatDoesNotExist(string claimId)
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        await client.ClaimAsync("q");

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}");

        response.AssertError(HttpStatusCode.BadRequest, "Unable to delete");
        Assert.Equal(NoSuchClaim, response.Description);
        await AssertExistsAsync(client, ids[0]);
    }

    [Fact]
    public async Task AnUnclaimedMessageIsNotDeletedWhenAClaimIsGiven()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        var (claimId, _) = await client.ClaimAsync("q", limit: 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[1]}?claim_id={claimId}");

        response.AssertError(HttpStatusCode.BadRequest, "Unable to delete");
        Assert.Equal(NotClaimed, response.Description);
        await AssertExistsAsync(client, ids[1]);
    }

    [Fact]
    public async Task AReleasedClaimNoLongerDeletesItsFormerMessages()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1);
        var (claimId, _) = await client.ClaimAsync("q");
        await client.DeleteAsync($"/v2/queues/q/claims/{claimId}");

        var response = await client.DeleteAsync($"/v2/queues/q/messages/{ids[0]}?claim_id={claimId}");

        response.AssertError(HttpStatusCode.BadRequest, "Unable to delete");
        Assert.Equal(NotClaimed, response.Description);
    }

    [Fact]
    public async Task BulkDeleteByIdsRemovesClaimedAndUnclaimedMessagesAlike()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);
        await client.ClaimAsync("q", limit: 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages?ids={ids[0]},{ids[1]},bogus,00000000-0000-0009-0000-000000000000");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(1, await client.TotalAsync("q"));
        await AssertExistsAsync(client, ids[2]);
    }

    [Fact]
    public async Task BulkDeleteWithClaimIdsRemovesOnlyTheMessagesOfThoseClaims()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3);
        var (first, _) = await client.ClaimAsync("q", limit: 1);
        await client.ClaimAsync("q", limit: 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages?ids={string.Join(",", ids)}&claim_ids={first}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        await AssertExistsAsync(client, ids[0], exists: false);
        await AssertExistsAsync(client, ids[1]);
        await AssertExistsAsync(client, ids[2]);
    }

    [Fact]
    public async Task WithDeleteWithClaimIdOnBulkDeleteNeedsClaimIds()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:MessageDeleteWithClaimId"] = "true" });
        using var client = factory.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2);
        var (claimId, _) = await client.ClaimAsync("q", limit: 1);

        var without = await client.DeleteAsync($"/v2/queues/q/messages?ids={ids[0]},{ids[1]}");
        var with = await client.DeleteAsync($"/v2/queues/q/messages?ids={ids[0]},{ids[1]}&claim_ids={claimId}");

        without.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal(
            "The request should have both \"ids\" and \"claim_ids\" parameter in the request when message_delete_with_claim_id is True.",
            without.Description);
        Assert.Equal(HttpStatusCode.NoContent, with.Status);
        Assert.Equal(1, await client.TotalAsync("q"));
        await AssertExistsAsync(client, ids[1]);
    }

    [Fact]
    public async Task BulkDeleteTakesOneToTwentyIds()
    {
        using var client = server.NewProject();
        var ids = Enumerable.Range(1, 21).Select(i => $"00000000-0000-{i:X4}-0000-000000000000").ToList();

        var twenty = await client.DeleteAsync($"/v2/queues/q/messages?ids={string.Join(",", ids[..20])}");
        var tooMany = await client.DeleteAsync($"/v2/queues/q/messages?ids={string.Join(",", ids)}");

        Assert.Equal(HttpStatusCode.NoContent, twenty.Status);
        tooMany.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("ids parameter should have at least 1 and not greater than 20 values.", tooMany.Description);
    }

    [Fact]
    public async Task PopRemovesAndReturnsTheOldestUnclaimedMessages()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", 1, 2, 3, 4);
        await client.ClaimAsync("q", limit: 1);

        var response = await client.DeleteAsync("/v2/queues/q/messages?pop=2");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var popped = response.Json!["messages"]!.AsArray();
        Assert.Equal([ids[1], ids[2]], response.Ids());
        Assert.Equal(["id", "age", "ttl", "body", "claim_id", "claim_count"], popped[0]!.AsObject().Select(p => p.Key));
        Assert.Equal(2, popped[0]!["body"]!.GetValue<int>());
        Assert.Equal(2, await client.TotalAsync("q"));
        await AssertExistsAsync(client, ids[1], exists: false);
    }

    [Fact]
    public async Task PoppingAnEmptyQueueReturnsNoMessages()
    {
        using var client = server.NewProject();

        var response = await client.DeleteAsync("/v2/queues/q/messages?pop=5");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("""{"messages":[]}""", response.Text);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    [InlineData(-3)]
    public async Task PopTakesOneToTwenty(int pop)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages?pop={pop}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("Pop value must be at least 1 and may not be greater than 20.", response.Description);
        Assert.Equal(1, await client.TotalAsync("q"));
    }

    [Theory]
    [InlineData("", "The request should have either \"ids\" or \"pop\" parameter in the request, to be able to delete.")]
    [InlineData("?ids=", "The request should have either \"ids\" or \"pop\" parameter in the request, to be able to delete.")]
    [InlineData("?pop=1&ids=00000000-0000-0001-0000-000000000000", "pop and id params cannot be present together in the delete request.")]
    public async Task BulkDeleteNeedsExactlyOneOfIdsAndPop(string query, string description)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("q", 1);

        var response = await client.DeleteAsync($"/v2/queues/q/messages{query}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal(description, response.Description);
        Assert.Equal(1, await client.TotalAsync("q"));
    }
}
