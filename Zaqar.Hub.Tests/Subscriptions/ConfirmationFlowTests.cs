using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Subscription confirmation when it is required (zaqar-v2-api.md sections 5.2 and 6): signed requests to confirm,
/// messages only for confirmed subscribers.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class ConfirmationFlowTests(ConfirmingDeliveryHost host) : IClassFixture<ConfirmingDeliveryHost>
{
    [Fact]
    public async Task ANewWebhookIsAskedToConfirmAndGetsMessagesOnlyOnceConfirmedThroughTheSignedRequest()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url(), ttl = 600 });
        var path = $"/v2/queues/q/subscriptions/{id}/confirm";

        var request = (await receiver.WaitForAsync(1))[0].Json.AsObject();
        Assert.Equal(
            ["WSGISubscribeURL", "Message_Type", "Message", "URL-Signature", "URL-Methods", "URL-Paths", "X-Project-ID", "URL-Expires",
                "SubscribeBody", "UnsubscribeBody", "queue_name"],
            request.Select(p => p.Key));
        Assert.Equal(ConfirmingDeliveryHost.PublicBaseUrl + path, request["WSGISubscribeURL"]!.GetValue<string>());
        Assert.Equal("SubscriptionConfirmation", request["Message_Type"]!.GetValue<string>());
        Assert.Equal("You have chosen to subscribe to the queue: q", request["Message"]!.GetValue<string>());
        Assert.Equal("PUT", request["URL-Methods"]!.GetValue<string>());
        Assert.Equal(path, request["URL-Paths"]!.GetValue<string>());
        Assert.Equal(client.Project, request["X-Project-ID"]!.GetValue<string>());
        var expires = host.Clock.GetUtcNow().UtcDateTime.AddSeconds(600).ToString(SignedUrls.DateFormat, CultureInfo.InvariantCulture);
        Assert.Equal(expires, request["URL-Expires"]!.GetValue<string>());
        var signer = new SignedUrls(Options.Create(new SignedUrlOptions { SecretKey = ConfirmingDeliveryHost.Secret }), host.Clock);
        Assert.Equal(signer.Create([path], ["PUT"], client.Project, DateTime.Parse(expires, CultureInfo.InvariantCulture)).Signature,
            request["URL-Signature"]!.GetValue<string>());
        Assert.Equal("""{"confirmed":true}""", request["SubscribeBody"]!.ToJsonString());
        Assert.Equal("""{"confirmed":false}""", request["UnsubscribeBody"]!.ToJsonString());

        await client.PostMessagesAsync("q", "too early");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Single(receiver.Requests);
        Assert.Equal(0, (await client.SubscriptionAsync("q", id))["delivery"]!["pending"]!.GetValue<long>());

        var confirmed = await host.Factory.RawAsync(HttpMethod.Put, path, SignedHeaders(request), """{"confirmed": true}""");
        Assert.Equal(HttpStatusCode.NoContent, confirmed.Status);
        Assert.True((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());

        await client.PostMessagesAsync("q", "welcome");
        var notification = (await receiver.WaitForAsync(2))[1].Json;
        Assert.Equal("Notification", notification["Message_Type"]!.GetValue<string>());
        Assert.Equal("welcome", notification["body"]!.GetValue<string>());
        (await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = receiver.Url() })).AssertError(HttpStatusCode.Conflict, "Resource conflict");
    }

    [Fact]
    public async Task SubscribingAgainWhileUnconfirmedSendsTheRequestAgainForTheSameSubscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();

        var first = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });
        await receiver.WaitForAsync(1);
        var second = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });

        Assert.Equal(first, second);
        var requests = await receiver.WaitForAsync(2);
        Assert.All(requests, r => Assert.Equal($"/v2/queues/q/subscriptions/{first}/confirm", r.Json["URL-Paths"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnconfirmingSendsAnUnsubscribeConfirmationAndStopsTheMessages()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });
        await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true });
        await client.PostMessagesAsync("q", "while confirmed");
        await receiver.WaitForAsync(2);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = false })).Status);

        var unsubscribed = (await receiver.WaitForAsync(3))[2].Json;
        Assert.Equal("UnsubscribeConfirmation", unsubscribed["Message_Type"]!.GetValue<string>());
        Assert.Equal("You have unsubscribed successfully to the queue: q, you can resubscribe it by using confirmed=True.",
            unsubscribed["Message"]!.GetValue<string>());
        var expires = host.Clock.GetUtcNow().UtcDateTime.AddSeconds(3600).ToString(SignedUrls.DateFormat, CultureInfo.InvariantCulture);
        Assert.Equal(expires, unsubscribed["URL-Expires"]!.GetValue<string>());
        await client.PostMessagesAsync("q", "after");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task ASignatureForAnotherSubscriptionOrATamperedOneIsABare404()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        var mine = await client.SubscribeAsync("q", new { subscriber = receiver.Url("/mine") });
        var other = await client.SubscribeAsync("q", new { subscriber = receiver.Url("/other") });
        var request = (await receiver.WaitForAsync(2)).Single(r => r.Path == "/mine").Json.AsObject();
        var headers = SignedHeaders(request);

        var misdirected = await host.Factory.RawAsync(HttpMethod.Put, $"/v2/queues/q/subscriptions/{other}/confirm", headers, """{"confirmed": true}""");
        headers["URL-Signature"] = new string('f', 64);
        var tampered = await host.Factory.RawAsync(HttpMethod.Put, $"/v2/queues/q/subscriptions/{mine}/confirm", headers, """{"confirmed": true}""");

        Assert.Equal(HttpStatusCode.NotFound, misdirected.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", tampered.Text);
        Assert.False((await client.SubscriptionAsync("q", mine))["confirmed"]!.GetValue<bool>());
        Assert.False((await client.SubscriptionAsync("q", other))["confirmed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AMailtoSubscriberIsEmailedTheConfirmationLinkAndInstructions()
    {
        using var client = host.NewProject();
        var address = $"{client.Project}@example.com";
        var id = await client.SubscribeAsync("q", new { subscriber = "mailto:" + address });

        var mail = Assert.Single(await host.Smtp.WaitForAsync(m => m.To.Contains(address)));

        Assert.Equal("Zaqar Notification - Subscription Confirmation", mail.Subject);
        var path = $"/v2/queues/q/subscriptions/{id}/confirm";
        Assert.Contains("https://confirm.test.example/page?Signature=", mail.Body, StringComparison.Ordinal);
        Assert.Contains("&Paths=" + Uri.EscapeDataString(path), mail.Body, StringComparison.Ordinal);
        Assert.Contains($"PUT {ConfirmingDeliveryHost.PublicBaseUrl}{path}", mail.Body, StringComparison.Ordinal);
        Assert.Contains("X-Project-ID: " + client.Project, mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHubConnectionSubscriptionNeedsNoConfirmation()
    {
        using var client = host.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(host.Factory, client);

        var id = (await hub.InvokeAsync("CreateSubscription", "q", null))!["subscription_id"]!.GetValue<string>();

        Assert.True((await client.SubscriptionAsync("q", id))["confirmed"]!.GetValue<bool>());
        await client.PostMessagesAsync("q", "pushed");
        Assert.Equal("pushed", (await hub.NextPushAsync())!.Value.Messages[0]!["body"]!.GetValue<string>());
    }

    /// <summary>The headers a subscriber sends to use its confirmation request (plus any Client-ID).</summary>
    private static Dictionary<string, string> SignedHeaders(JsonObject request) => new()
    {
        ["Client-ID"] = Guid.NewGuid().ToString(),
        ["X-Project-ID"] = request["X-Project-ID"]!.GetValue<string>(),
        ["URL-Signature"] = request["URL-Signature"]!.GetValue<string>(),
        ["URL-Methods"] = request["URL-Methods"]!.GetValue<string>(),
        ["URL-Paths"] = request["URL-Paths"]!.GetValue<string>(),
        ["URL-Expires"] = request["URL-Expires"]!.GetValue<string>(),
    };
}
