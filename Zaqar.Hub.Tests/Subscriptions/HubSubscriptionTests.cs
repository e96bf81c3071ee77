using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// The subscription methods of the hub over JSON: REST's shapes and errors, and the hub connection as subscriber
/// (zaqar-v2-api.md 10.4): pushed through Messages(queue, messages), listed like any subscription, ended with the connection.
/// </summary>
public sealed class HubSubscriptionTests(ZaqarTestServer server)
{
    private const string Hook = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task EveryMethodAnswersWhatRestAnswers()
    {
        using var client = server.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(server.Factory, client);

        var created = await hub.InvokeAsync("CreateSubscription", "q", new { subscriber = Hook, ttl = 120, options = new { a = new { b = 1 } } });
        var id = created!["subscription_id"]!.GetValue<string>();
        Assert.Equal(["subscription_id"], created.AsObject().Select(p => p.Key));

        // Compared as parsed JSON: the two serializers escape differently ("&" in links). Without "age", which is seconds
        // since creation: on a loaded machine the REST call and the hub call may fall in different seconds.
        Assert.Equal(WithoutAge((await client.GetAsync("/v2/queues/q/subscriptions")).Json!), WithoutAge((await hub.InvokeAsync("ListSubscriptions", "q", null))!));
        Assert.Equal(WithoutAge((await client.GetAsync("/v2/queues/q/subscriptions?limit=1")).Json!),
            WithoutAge((await hub.InvokeAsync("ListSubscriptions", "q", new { limit = 1 }))!));
        Assert.Equal(WithoutAge((await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Json!),
            WithoutAge((await hub.InvokeAsync("GetSubscription", "q", id))!));
        Assert.Equal("""{"a":{"b":1}}""", (await client.SubscriptionAsync("q", id))["options"]!.ToJsonString());

        Assert.Null(await hub.InvokeAsync("UpdateSubscription", "q", id, new { ttl = 300 }));
        Assert.Equal(300, (await client.SubscriptionAsync("q", id))["ttl"]!.GetValue<int>());
        Assert.Null(await hub.InvokeAsync("ConfirmSubscription", "q", id, new { confirmed = true }));
        Assert.True((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());
        Assert.Equal(409, (await hub.ErrorAsync("CreateSubscription", "q", new { subscriber = Hook }))["status"]!.GetValue<int>());
        Assert.Null(await hub.InvokeAsync("DeleteSubscription", "q", id));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }

    /// <summary><paramref name="node"/> as JSON text, with every subscription's "age" left out.</summary>
    private static string WithoutAge(JsonNode node)
    {
        var copy = node.DeepClone();
        foreach (var subscription in copy["subscriptions"]?.AsArray().Select(s => s!.AsObject()) ?? [copy.AsObject()])
        {
            subscription.Remove("age");
        }
        return copy.ToJsonString();
    }

    [Fact]
    public async Task ClientMistakesGetRestsErrors()
    {
        using var client = server.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(server.Factory, client);
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        Assert.Equal("""{"status":404,"title":"Not found","description":"Subscription nope does not exist"}""",
            (await hub.ErrorAsync("GetSubscription", "q", "nope")).ToJsonString());
        Assert.Equal("The TTL for a subscription must be at least 60 seconds long.",
            (await hub.ErrorAsync("CreateSubscription", "q", new { subscriber = Hook + "2", ttl = 10 }))["description"]!.GetValue<string>());
        Assert.Contains("Keystone", (await hub.ErrorAsync("CreateSubscription", "q", new { subscriber = "trust+https://x/y" }))["description"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal("Options must be a dict.",
            (await hub.ErrorAsync("CreateSubscription", "q", new { options = new[] { 1 } }))["description"]!.GetValue<string>());
        Assert.Equal("The 'confirmed' should be boolean.", (await hub.ErrorAsync("ConfirmSubscription", "q", id, null))["description"]!.GetValue<string>());
        Assert.Equal("No subscription to create.", (await hub.ErrorAsync("UpdateSubscription", "q", id, new { }))["description"]!.GetValue<string>());
        Assert.Equal(400, (await hub.ErrorAsync("ListSubscriptions", "q", new { limit = 50 }))["status"]!.GetValue<int>());
        Assert.Equal("Invalid queue identification", (await hub.ErrorAsync("ListSubscriptions", "bad name", null))["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task AConnectionWithoutSubscriberIsTheSubscriberAndIsListedLikeAnyOther()
    {
        using var client = server.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(server.Factory, client);

        var id = (await hub.InvokeAsync("CreateSubscription", "q", new { ttl = 600 }))!["subscription_id"]!.GetValue<string>();

        var listed = Assert.Single((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray())!;
        Assert.Equal(id, listed["id"]!.GetValue<string>());
        Assert.StartsWith("hub:", listed["subscriber"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(600, listed["ttl"]!.GetValue<int>());
        Assert.True(listed["confirmed"]!.GetValue<bool>());
        var messageId = (await client.PostMessagesAsync("q", new { pushed = true }))[0];
        var (queue, messages) = (await hub.NextPushAsync())!.Value;
        Assert.Equal("q", queue);
        Assert.Equal($$"""[{"id":"{{messageId}}","body":{"pushed":true},"ttl":3600,"age":0}]""", messages.ToJsonString());
        Assert.Equal(409, (await hub.ErrorAsync("CreateSubscription", "q", null))["status"]!.GetValue<int>());
        Assert.Contains("can not be changed",
            (await hub.ErrorAsync("UpdateSubscription", "q", id, new { subscriber = Hook }))["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionsSubscriptionsEndWithIt()
    {
        using var client = server.NewProject();
        var hub = await HubJsonClient.ConnectAsync(server.Factory, client);
        var id = (await hub.InvokeAsync("CreateSubscription", "q", null))!["subscription_id"]!.GetValue<string>();
        await hub.InvokeAsync("CreateSubscription", "other", null);

        await hub.DisposeAsync();

        await DeliveryWaits.UntilAsync(() => client.GetAsync("/v2/queues/q/subscriptions"),
            r => r.Json!["subscriptions"]!.AsArray().Count == 0, 5, "the connection's subscriptions to go");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
        Assert.Empty((await client.GetAsync("/v2/queues/other/subscriptions")).Json!["subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task DeletingOrPurgingTheSubscriptionStopsItsPushButNotAnExplicitSubscribe()
    {
        using var client = server.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(server.Factory, client);
        await hub.InvokeAsync("Subscribe", "both");
        var both = (await hub.InvokeAsync("CreateSubscription", "both", null))!["subscription_id"]!.GetValue<string>();
        var only = (await hub.InvokeAsync("CreateSubscription", "only", null))!["subscription_id"]!.GetValue<string>();
        await hub.InvokeAsync("CreateSubscription", "purged", null);

        await client.PostMessagesAsync("both", 1);
        Assert.Single((await hub.NextPushAsync())!.Value.Messages);
        Assert.Null(await hub.NextPushAsync(200));

        await client.DeleteAsync($"/v2/queues/only/subscriptions/{only}");
        await client.DeleteAsync($"/v2/queues/both/subscriptions/{both}");
        await hub.InvokeAsync("PurgeQueue", "purged", new[] { "subscriptions" });
        await client.PostMessagesAsync("only", 2);
        await client.PostMessagesAsync("purged", 3);
        await client.PostMessagesAsync("both", 4);

        var push = (await hub.NextPushAsync())!.Value;
        Assert.Equal("both", push.Queue);
        Assert.Equal(4, push.Messages[0]!["body"]!.GetValue<int>());
        Assert.Null(await hub.NextPushAsync(300));
    }

    [Fact]
    public async Task AnExpiredConnectionSubscriptionStopsPushing()
    {
        await using var service = new ClockedService(server, new Dictionary<string, string?> { ["Notifications:HubSubscriptionCheckSeconds"] = "0.05" });
        using var client = service.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(service.Factory, client);
        var id = (await hub.InvokeAsync("CreateSubscription", "q", new { ttl = 60 }))!["subscription_id"]!.GetValue<string>();
        await client.PostMessagesAsync("q", "before");
        Assert.NotNull(await hub.NextPushAsync());

        service.Advance(61);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await client.PostMessagesAsync("q", "after");

        Assert.Null(await hub.NextPushAsync(300));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v2/queues/q/subscriptions/{id}")).Status);
    }
}
