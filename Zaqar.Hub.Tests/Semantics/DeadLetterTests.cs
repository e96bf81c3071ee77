using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Semantics;

public sealed class DeadLetterTests(ZaqarTestServer server)
{
    private static async Task ClaimAndReleaseAsync(ZaqarClient client, string queue)
    {
        var claim = await client.PostAsync($"/v2/queues/{queue}/claims", new { ttl = 60 });
        Assert.Equal(HttpStatusCode.Created, claim.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(claim.Location!)).Status);
    }

    [Fact]
    public async Task MessageClaimedMaxTimesMovesToTheDeadLetterQueueOnItsNextClaim()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 2, _dead_letter_queue = "jobs-dlq", _dead_letter_queue_messages_ttl = 120 });
        await client.PostMessagesAsync("jobs", new { job = "poison" });

        await ClaimAndReleaseAsync(client, "jobs");
        await ClaimAndReleaseAsync(client, "jobs");

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/jobs/claims", new { ttl = 60 })).Status);
        Assert.Equal(0, (await client.GetAsync("/v2/queues/jobs/stats")).Json!["messages"]!["total"]!.GetValue<int>());
        var dead = (await client.GetAsync("/v2/queues/jobs-dlq/messages?echo=true")).Json!["messages"]!.AsArray();
        var moved = Assert.Single(dead)!;
        Assert.Equal("poison", moved["body"]!["job"]!.GetValue<string>());
        Assert.Equal(120, moved["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task ClaimReturnsTheHealthyMessagesWhileMovingTheOverClaimedOnes()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 1, _dead_letter_queue = "dlq" });
        var first = (await client.PostMessagesAsync("jobs", "old"))[0];
        await ClaimAndReleaseAsync(client, "jobs");
        var second = (await client.PostMessagesAsync("jobs", "new"))[0];

        var claim = await client.PostAsync("/v2/queues/jobs/claims", new { ttl = 60 });
        var claimed = claim.Json!["messages"]!.AsArray();
        Assert.Equal(second, Assert.Single(claimed)!["id"]!.GetValue<string>());
        var dead = (await client.GetAsync("/v2/queues/dlq/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal("old", Assert.Single(dead)!["body"]!.GetValue<string>());
        Assert.NotEqual(first, dead[0]!["id"]!.GetValue<string>());
    }

    /// <summary>Issue 10 (found by the REST fuzzer): the API accepts any int64 count, and such a queue answered 503 to claims.</summary>
    [Fact]
    public async Task AMaxClaimCountPastInt32IsAcceptedAndClaimsServeAsNeverDeadLettering()
    {
        using var client = server.NewProject();
        var created = await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 4294967296L, _dead_letter_queue = "dlq" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        await client.PostMessagesAsync("jobs", "kept");

        await ClaimAndReleaseAsync(client, "jobs");
        await ClaimAndReleaseAsync(client, "jobs");

        Assert.Equal(1, (await client.GetAsync("/v2/queues/jobs/stats")).Json!["messages"]!["total"]!.GetValue<int>());
        var queues = (await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>());
        Assert.Equal(["jobs"], queues);
    }

    [Fact]
    public async Task WithoutADeadLetterQueueMessagesAreClaimedForever()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 1 });
        await client.PostMessagesAsync("jobs", "again");
        for (var i = 0; i < 3; i++)
        {
            await ClaimAndReleaseAsync(client, "jobs");
        }
        Assert.Equal(1, (await client.GetAsync("/v2/queues/jobs/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    /// <summary>Issue 12 item 5: the claim reads the queue's columns, which a PATCH writes with the metadata.</summary>
    [Fact]
    public async Task APatchThatSetsMaxClaimCountMakesTheNextClaimDeadLetter()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _dead_letter_queue = "jobs-dlq" });
        await client.PostMessagesAsync("jobs", "poison");
        await ClaimAndReleaseAsync(client, "jobs");

        var patched = await client.PatchAsync("/v2/queues/jobs", """[{"op":"add","path":"/metadata/_max_claim_count","value":1}]""");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(1, patched.Json!["_max_claim_count"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/jobs/claims", new { ttl = 60 })).Status);
        var dead = (await client.GetAsync("/v2/queues/jobs-dlq/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal("poison", Assert.Single(dead)!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task APatchThatRemovesTheDeadLetterQueueStopsDeadLettering()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 1, _dead_letter_queue = "jobs-dlq" });
        var posted = await client.PostMessagesAsync("jobs", "kept");
        await ClaimAndReleaseAsync(client, "jobs");

        var patched = await client.PatchAsync("/v2/queues/jobs", """[{"op":"remove","path":"/metadata/_dead_letter_queue"}]""");
        var claim = await client.PostAsync("/v2/queues/jobs/claims", new { ttl = 60 });

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(HttpStatusCode.Created, claim.Status);
        Assert.Equal(posted[0], Assert.Single(claim.Json!["messages"]!.AsArray())!["id"]!.GetValue<string>());
        var queues = (await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>());
        Assert.Equal(["jobs"], queues);
    }

    [Fact]
    public async Task APatchThatChangesTheDeadLetterTtlIsWhatMovedMessagesGet()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/jobs", new { _max_claim_count = 1, _dead_letter_queue = "jobs-dlq", _dead_letter_queue_messages_ttl = 120 });
        await client.PostMessagesAsync("jobs", "poison");
        await ClaimAndReleaseAsync(client, "jobs");

        var patched = await client.PatchAsync("/v2/queues/jobs", """[{"op":"replace","path":"/metadata/_dead_letter_queue_messages_ttl","value":240}]""");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/jobs/claims", new { ttl = 60 })).Status);
        var dead = (await client.GetAsync("/v2/queues/jobs-dlq/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal(240, Assert.Single(dead)!["ttl"]!.GetValue<int>());
    }
}
