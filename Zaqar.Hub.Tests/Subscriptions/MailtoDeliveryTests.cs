using System.Net;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>mailto: subscribers get one email per message through the configured SMTP server (issue #4).</summary>
[Collection(DeliveryCollection.Name)]
public sealed class MailtoDeliveryTests(DeliveryHost host) : IClassFixture<DeliveryHost>
{
    [Fact]
    public async Task EachMessageIsMailedWithTheSubscriptionsSenderAndTheSubjectOfItsUri()
    {
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("orders", new
        {
            subscriber = "mailto:ops@example.com?subject=New%20order",
            options = new { from = "orders@shop.example" },
        });

        var messageId = (await client.PostMessagesAsync("orders", new { order = 7, city = "Zürich" }))[0];

        var mail = Assert.Single(await host.Smtp.WaitForAsync(m => m.To.Contains("ops@example.com")));
        Assert.Equal("orders@shop.example", mail.From);
        Assert.Equal("New order", mail.Subject);
        var document = JsonNode.Parse(mail.Body)!;
        Assert.Equal(messageId, document["id"]!.GetValue<string>());
        Assert.Equal("Zürich", document["body"]!["city"]!.GetValue<string>());
        Assert.Equal("orders", document["queue_name"]!.GetValue<string>());
        Assert.Equal("Notification", document["Message_Type"]!.GetValue<string>());
        await client.DeliveryAsync("orders", id, d => d["delivered"]!.GetValue<long>() == 1);
    }

    [Fact]
    public async Task WithoutSenderOrSubjectTheConfiguredSenderAndADefaultSubjectAreUsed()
    {
        using var client = host.NewProject();
        var address = $"{client.Project}@example.com";
        await client.SubscribeAsync("alerts", new { subscriber = "mailto:" + address, options = new { subject = "From the options" } });
        await client.SubscribeAsync("plain", new { subscriber = "mailto:" + address });

        await client.PostMessagesAsync("alerts", "a");
        await client.PostMessagesAsync("plain", "b");

        var mails = await host.Smtp.WaitForAsync(m => m.To.Contains(address), count: 2);
        Assert.All(mails, m => Assert.Equal("zaqar@test.example", m.From));
        Assert.Contains(mails, m => m.Subject == "From the options");
        Assert.Contains(mails, m => m.Subject == "Zaqar Notification: queue plain");
    }

    [Theory]
    [InlineData("mailto:")]
    [InlineData("mailto:not-an-address")]
    public async Task AMailtoSubscriberNeedsAnAddress(string subscriber)
    {
        using var client = host.NewProject();

        (await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber })).AssertError(
            HttpStatusCode.BadRequest, "Invalid API request", "must name an email address");
    }
}
