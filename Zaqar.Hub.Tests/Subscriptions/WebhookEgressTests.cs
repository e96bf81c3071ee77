using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>A delivering host that sends no webhook to the loopback networks (as a deployment blocks its private ones).</summary>
public sealed class LoopbackBlockingDeliveryHost(ZaqarTestServer server) : DeliveryHost(server)
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Notifications:WebhookBlockedNetworks"] = "127.0.0.0/8, ::1",
    };
}

/// <summary>
/// Webhook egress (Notifications:WebhookBlockedNetworks): the rule holds on the address a webhook connects to, after
/// name resolution, not only on what the URL spells.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class WebhookEgressTests(LoopbackBlockingDeliveryHost host) : IClassFixture<LoopbackBlockingDeliveryHost>
{
    [Fact]
    public async Task AWebhookWhoseNameResolvesIntoABlockedNetworkIsRefusedOnceAndNeverReached()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        // A name passes the subscription check (it has no literal address); it resolves to the loopback.
        var url = new UriBuilder(receiver.Url()) { Host = "localhost" }.Uri.ToString();
        var id = await client.SubscribeAsync("q", new { subscriber = url });

        await client.PostMessagesAsync("q", "for the inside");

        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1);
        Assert.Matches(
            @"^The address (127\.0\.0\.1|::1) is in a network this service does not send webhooks to \(Notifications:WebhookBlockedNetworks\)\.$",
            delivery["last_error"]!.GetValue<string>());
        Assert.Equal(0, delivery["delivered"]!.GetValue<long>());
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task ALiteralBlockedAddressIsRefusedWhenSubscribing()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = receiver.Url() });

        response.AssertError(System.Net.HttpStatusCode.BadRequest, "Invalid API request",
            "The address 127.0.0.1 is in a network this service does not send webhooks to");
    }
}
