using System.Text.Json;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>Issue 10: webhook and email notifications serve every accepted body, edge cases of the definition included.</summary>
[Collection(DeliveryCollection.Name)]
public sealed class Issue10NotificationTests(DeliveryHost host) : IClassFixture<DeliveryHost>
{
    private static readonly string Edge = string.Concat(
        """{"":{"":[""]},"text":"\ud83d\ude00 é \u0001 \uffff \" \\ \/","max":9223372036854775807,"min":-9223372036854775808,""",
        "\"double\":1.7976931348623157e308,\"tiny\":5e-324,\"under\":1e-400,\"deep\":",
        new string('[', AcceptableJson.MaxDepth - 1), new string(']', AcceptableJson.MaxDepth - 1), "}");

    [Fact]
    public async Task Issue10AnEdgeOfTheDefinitionBodyIsDeliveredIdenticallyByWebhookAndByEmail()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        var address = $"{client.Project}@example.com";
        await client.SubscribeAsync("q", new { subscriber = receiver.Url() });
        await client.SubscribeAsync("q", new { subscriber = "mailto:" + address });

        await Issue10PoisonMessageTests.PostTextAsync(client, "q", Edge);

        var webhook = Assert.Single(await receiver.WaitForAsync(1));
        var mail = Assert.Single(await host.Smtp.WaitForAsync(m => m.To.Contains(address)));
        ReadBack.AssertSame(Edge, Body(webhook.Body), "webhook");
        ReadBack.AssertSame(Edge, Body(mail.Body), "email");
    }

    private static string Body(string document) => JsonDocument.Parse(document).RootElement.GetProperty("body").GetRawText();
}
