using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>The outbox is durable: what a stopped service had not delivered, the next one delivers (issue #4).</summary>
[Collection(DeliveryCollection.Name)]
public sealed class RestartDeliveryTests(ZaqarTestServer server)
{
    private static readonly Dictionary<string, string?> Delivering = new()
    {
        ["Notifications:DispatcherEnabled"] = "true",
        ["Notifications:PollIntervalSeconds"] = "0.05",
    };

    [Fact]
    public async Task NotificationsPendingWhenTheServiceStopsAreDeliveredByTheNextOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        string project;
        List<string> ids;
        // A service that takes posts but delivers nothing, then stops.
        await using (var before = server.CreateFactory())
        {
            using var client = before.NewProject();
            project = client.Project;
            await client.SubscribeAsync("q", new { subscriber = receiver.Url() });
            ids = await client.PostMessagesAsync("q", "one", "two", "three");
        }
        Assert.Empty(receiver.Requests);

        await using var after = server.CreateFactory(Delivering);
        _ = after.Server;

        var requests = await receiver.WaitForAsync(3);
        Assert.Equal(ids.Order(StringComparer.Ordinal), requests.Select(r => r.Json["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        using var same = new ZaqarClient(after.CreateClient(), project, Guid.NewGuid().ToString());
        var listed = await same.GetAsync("/v2/queues/q/subscriptions");
        var id = listed.Json!["subscriptions"]![0]!["id"]!.GetValue<string>();
        await same.DeliveryAsync("q", id, d => d["delivered"]!.GetValue<long>() == 3 && d["pending"]!.GetValue<long>() == 0);
    }
}
