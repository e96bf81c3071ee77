using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Semantics;

/// <summary>TTL, delay, grace and claim expiry, on a manual clock (issue #2: no multi-second sleeps).</summary>
public sealed class ExpiryTests(ZaqarTestServer server)
{
    [Fact]
    public async Task MessageVanishesFromEveryReadTheMomentItsTtlRunsOut()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        var posted = await client.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = "short", ttl = 60 } } });
        var id = posted.Json!["resources"]![0]!.GetValue<string>().Split('/')[^1];

        service.Advance(59);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/queues/q/messages/{id}")).Status);
        Assert.Equal(59, (await client.GetAsync($"/v2/queues/q/messages/{id}")).Json!["age"]!.GetValue<int>());

        service.Advance(1);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/messages/{id}")).Status);
        Assert.Empty((await client.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/q/claims", new { })).Status);
        Assert.Equal(0, (await client.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task QueueDefaultTtlAppliesToMessagesPostedWithoutOne()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PutAsync("/v2/queues/q", new { _default_message_ttl = 120 });
        await client.PostMessagesAsync("q", "x");
        var listed = (await client.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]![0]!;
        Assert.Equal(120, listed["ttl"]!.GetValue<int>());
        service.Advance(121);
        Assert.Empty((await client.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray());
    }

    [Fact]
    public async Task DelayedMessageStaysHiddenFromListsAndClaimsUntilItsDelayPasses()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PutAsync("/v2/queues/late", new { _default_message_delay = 30 });
        await client.PostMessagesAsync("late", "later");

        Assert.Empty((await client.GetAsync("/v2/queues/late/messages?echo=true")).Json!["messages"]!.AsArray());
        Assert.Single((await client.GetAsync("/v2/queues/late/messages?echo=true&include_delayed=true")).Json!["messages"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/late/claims", new { })).Status);

        service.Advance(30);
        Assert.Single((await client.GetAsync("/v2/queues/late/messages?echo=true")).Json!["messages"]!.AsArray());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/v2/queues/late/claims", new { })).Status);
    }

    [Fact]
    public async Task ExplicitDelayOverridesTheQueueDefaultAndIsIgnoredOnPlainQueues()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PutAsync("/v2/queues/late", new { _default_message_delay = 300 });
        await client.PostAsync("/v2/queues/late/messages", new { messages = new object[] { new { body = "now", delay = 0 }, new { body = "soon", delay = 10 } } });
        await client.PostAsync("/v2/queues/plain/messages", new { messages = new[] { new { body = "ignored delay", delay = 600 } } });

        var visible = (await client.GetAsync("/v2/queues/late/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal("now", Assert.Single(visible)!["body"]!.GetValue<string>());
        Assert.Single((await client.GetAsync("/v2/queues/plain/messages?echo=true")).Json!["messages"]!.AsArray());

        service.Advance(10);
        Assert.Equal(2, (await client.GetAsync("/v2/queues/late/messages?echo=true")).Json!["messages"]!.AsArray().Count);
    }

    [Fact]
    public async Task ClaimHidesMessagesUntilItExpiresThenTheyAreClaimableAgain()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostMessagesAsync("q", "work");
        var claim = await client.PostAsync("/v2/queues/q/claims", new { ttl = 60, grace = 60 });
        Assert.Equal(HttpStatusCode.Created, claim.Status);

        service.Advance(59);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/q/claims", new { })).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(claim.Location!)).Status);

        service.Advance(1);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(claim.Location!)).Status);
        var listed = (await client.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.DoesNotContain("claim_id", Assert.Single(listed)!["href"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/v2/queues/q/claims", new { })).Status);
    }

    [Fact]
    public async Task ClaimKeepsAShortLivedMessageAliveForTheGracePeriod()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = "short", ttl = 60 } } });
        var claim = await client.PostAsync("/v2/queues/q/claims", new { ttl = 100, grace = 60 });
        var message = claim.Json!["messages"]![0]!;
        Assert.Equal(160, message["ttl"]!.GetValue<int>());
        var href = message["href"]!.GetValue<string>().Split('?')[0];

        service.Advance(159);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(href)).Status);
        service.Advance(1);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(href)).Status);
    }

    [Fact]
    public async Task LongLivedMessageKeepsItsOwnTtlWhenClaimed()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = "long", ttl = 3600 } } });
        var claim = await client.PostAsync("/v2/queues/q/claims", new { ttl = 60, grace = 60 });
        Assert.Equal(3600, claim.Json!["messages"]![0]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task RenewingAClaimExtendsItFromNow()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostMessagesAsync("q", "work");
        var claim = await client.PostAsync("/v2/queues/q/claims", new { ttl = 60, grace = 60 });

        service.Advance(50);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PatchAsync(claim.Location!, new { ttl = 60 }, "application/json")).Status);
        service.Advance(50);
        var live = await client.GetAsync(claim.Location!);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal(100, live.Json!["age"]!.GetValue<int>());
        Assert.Equal(60, live.Json!["ttl"]!.GetValue<int>());
        Assert.Single(live.Json!["messages"]!.AsArray());

        service.Advance(10);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(claim.Location!)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsync(claim.Location!, new { ttl = 60 }, "application/json")).Status);
    }

    [Fact]
    public async Task DeletingWithAnExpiredClaimIsRefusedAndWithoutOneSucceeds()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostMessagesAsync("q", "work");
        var claim = await client.PostAsync("/v2/queues/q/claims", new { ttl = 60 });
        var href = claim.Json!["messages"]![0]!["href"]!.GetValue<string>();

        service.Advance(60);
        (await client.DeleteAsync(href)).AssertError(HttpStatusCode.BadRequest, "Unable to delete", "not currently claimed");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(href.Split('?')[0])).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(href.Split('?')[0])).Status);
    }
}
