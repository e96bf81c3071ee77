using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>GET, PATCH, DELETE and PUT .../confirm of /v2/queues/{q}/subscriptions/{id} (zaqar-v2-api.md section 5.1).</summary>
public sealed class SubscriptionItemTests(ZaqarTestServer server)
{
    private const string Hook = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task GetAnswersZaqarsKeysPlusTheDeliveryTallies()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook, ttl = 300, options = new { post_headers = new { X = "1" } } });

        var subscription = (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Json!.AsObject();

        Assert.Equal(["id", "source", "subscriber", "ttl", "age", "options", "confirmed", "delivery"], subscription.Select(p => p.Key));
        Assert.Equal(id, subscription["id"]!.GetValue<string>());
        Assert.Equal("q", subscription["source"]!.GetValue<string>());
        Assert.Equal(300, subscription["ttl"]!.GetValue<int>());
        Assert.InRange(subscription["age"]!.GetValue<long>(), 0, 5);
        Assert.Equal("""{"post_headers":{"X":"1"}}""", subscription["options"]!.ToJsonString());
        Assert.Equal(
            """{"delivered":0,"failed":0,"pending":0,"last_error":null,"last_error_at":null,"last_delivered_at":null}""",
            subscription["delivery"]!.ToJsonString());
    }

    [Theory]
    [InlineData("0196a1b2-0000-7000-8000-000000000001")]
    [InlineData("not-an-id")]
    public async Task AnUnknownSubscriptionIsNotFound(string id)
    {
        using var client = server.NewProject();

        (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).AssertError(HttpStatusCode.NotFound, "Not found", $"Subscription {id} does not exist");
        (await client.PatchAsync($"/v2/queues/q/subscriptions/{id}", new { ttl = 100 }, "application/json")).AssertError(
            HttpStatusCode.NotFound, "Not found", $"Subscription {id} does not exist");
        (await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true })).AssertError(
            HttpStatusCode.NotFound, "Not found", $"Subscription {id} does not exist");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }

    [Fact]
    public async Task PatchChangesSubscriberTtlAndOptionsAndAnswers204WithItsLocation()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook, options = new { a = 1 } });
        service.Advance(100);
        Assert.Equal(100, (await client.SubscriptionAsync("q", id))["age"]!.GetValue<long>());

        var patched = await client.PatchAsync($"/v2/queues/q/subscriptions/{id}",
            new { subscriber = "https://example.com/new", ttl = 120, options = new { b = 2 } }, "application/json");

        Assert.Equal(HttpStatusCode.NoContent, patched.Status);
        Assert.Equal($"/v2/queues/q/subscriptions/{id}", patched.Location);
        var subscription = await client.SubscriptionAsync("q", id);
        Assert.Equal("https://example.com/new", subscription["subscriber"]!.GetValue<string>());
        Assert.Equal(120, subscription["ttl"]!.GetValue<int>());
        Assert.Equal(0, subscription["age"]!.GetValue<long>());
        Assert.Equal("""{"b":2}""", subscription["options"]!.ToJsonString());

        // Only what the document names changes.
        await client.PatchAsync($"/v2/queues/q/subscriptions/{id}", new { options = new { c = 3 } }, "application/json");
        subscription = await client.SubscriptionAsync("q", id);
        Assert.Equal(120, subscription["ttl"]!.GetValue<int>());
        Assert.Equal("https://example.com/new", subscription["subscriber"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", 400, "Invalid API request", "No subscription to create.")]
    [InlineData("{}", 400, "Invalid API request", "No subscription to create.")]
    [InlineData("""{"color": "blue"}""", 400, "Unable to update subscription", "could not be updated.")]
    [InlineData("""{"ttl": 30}""", 400, "Invalid API request", "must be at least 60 seconds long.")]
    [InlineData("""{"subscriber": "gopher://x"}""", 400, "Invalid API request", "must be supported in the list")]
    [InlineData("""{"subscriber": ""}""", 400, "Invalid API request", "must be supported in the list")]
    [InlineData("""{"options": "fast"}""", 400, "Invalid API request", "Options must be a dict.")]
    public async Task PatchValidatesLikeCreate(string body, int status, string title, string description)
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        var response = await client.PatchAsync($"/v2/queues/q/subscriptions/{id}", body.Length == 0 ? null : body, "application/json");

        response.AssertError((HttpStatusCode)status, title, description);
    }

    [Fact]
    public async Task PatchingToASubscriberAnotherSubscriptionHasIsAConflict()
    {
        using var client = server.NewProject();
        await client.SubscribeAsync("q", new { subscriber = Hook });
        var other = await client.SubscribeAsync("q", new { subscriber = "https://example.com/other" });

        var response = await client.PatchAsync($"/v2/queues/q/subscriptions/{other}", new { subscriber = Hook }, "application/json");

        response.AssertError(HttpStatusCode.Conflict, "Resource conflict", "Such subscription already exists.");
        Assert.Equal("https://example.com/other", (await client.SubscriptionAsync("q", other))["subscriber"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANewSubscriberMustBeConfirmedAgain()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });
        await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true });

        await client.PatchAsync($"/v2/queues/q/subscriptions/{id}", new { ttl = 500 }, "application/json");
        Assert.True((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());
        await client.PatchAsync($"/v2/queues/q/subscriptions/{id}", new { subscriber = "https://example.com/moved" }, "application/json");
        Assert.False((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ConfirmSetsTheFlagAndAnswers204WithItsLocation()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        var confirmed = await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true });
        Assert.Equal(HttpStatusCode.NoContent, confirmed.Status);
        Assert.Equal($"/v2/queues/q/subscriptions/{id}/confirm", confirmed.Location);
        Assert.True((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());

        await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = false });
        Assert.False((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"confirmed": "true"}""")]
    [InlineData("""{"confirmed": 1}""")]
    [InlineData("[true]")]
    public async Task ConfirmNeedsABoolean(string body)
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        var response = await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", body.Length == 0 ? null : body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "The 'confirmed' should be boolean.");
    }

    [Fact]
    public async Task DeleteAnswers204AndTheSubscriptionIsGone()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }

    [Fact]
    public async Task SubscriptionsExpireWithTheirTtlAndTheirSubscriberCanSubscribeAgain()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook, ttl = 60 });
        await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true });

        service.Advance(61);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Empty((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
        Assert.NotEqual(id, await client.SubscribeAsync("q", new { subscriber = Hook }));
    }

    [Fact]
    public async Task PurgingSubscriptionsDeletesThemAndPurgingMessagesKeepsThem()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        await client.PostAsync("/v2/queues/q/purge", new { resource_types = new[] { "messages" } });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v2/queues/q/purge", new { resource_types = new[] { "subscriptions" } })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);

        var again = await client.SubscribeAsync("q", new { subscriber = Hook });
        await client.PostAsync("/v2/queues/q/purge");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{again}")).Status);
    }

    [Fact]
    public async Task DeletingTheQueueKeepsItsSubscriptionsAsZaqarDoes()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        await client.DeleteAsync("/v2/queues/q");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }

    [Fact]
    public async Task AnotherProjectCanNeitherSeeNorChangeTheSubscription()
    {
        using var owner = server.NewProject();
        using var stranger = server.NewProject();
        var id = await owner.SubscribeAsync("q", new { subscriber = Hook });

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Empty((await stranger.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound,
            (await stranger.PatchAsync($"/v2/queues/q/subscriptions/{id}", new { ttl = 100 }, "application/json")).Status);
        await stranger.DeleteAsync($"/v2/queues/q/subscriptions/{id}");
        await stranger.PostAsync("/v2/queues/q/purge");
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }
}
