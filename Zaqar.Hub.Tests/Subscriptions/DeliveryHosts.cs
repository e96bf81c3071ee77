using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// The tests whose service delivers notifications. Dispatchers share the database's outbox (any of them may send
/// any due notification), so these run one class at a time, each with its own host, while the other tests' hosts
/// keep their dispatchers off.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DeliveryCollection
{
    public const string Name = "Notification delivery";
}

/// <summary>
/// A service instance that delivers: fast polls, short webhook timeouts, a manual clock (retry delays pass when a test
/// says), and an SMTP sink for mailto subscribers.
/// </summary>
public class DeliveryHost(ZaqarTestServer server) : IAsyncLifetime
{
    public ManualClock Clock { get; } = new();

    public SmtpSink Smtp { get; } = new();

    public ZaqarFactory Factory { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:DispatcherEnabled"] = "true",
            ["Notifications:PollIntervalSeconds"] = "0.05",
            ["Notifications:WebhookTimeoutSeconds"] = "0.5",
            ["Notifications:LeaseSeconds"] = "30",
            ["Notifications:HubSubscriptionCheckSeconds"] = "0.1",
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Notifications:Smtp:TimeoutSeconds"] = "5",
            ["Notifications:Smtp:From"] = "Zaqar <zaqar@test.example>",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }
        Factory = server.CreateFactory(settings, Clock);
        _ = Factory.Server;
        return ValueTask.CompletedTask;
    }

    public ZaqarClient NewProject() => Factory.NewProject();

    /// <summary>Moves the service clock one second: a step of <see cref="WebhookReceiver.WaitForAsync"/>.</summary>
    public void Step() => Clock.Advance(TimeSpan.FromSeconds(1));

    /// <summary>The outbox rows of a subscription, as stored (body text, encrypted flag).</summary>
    public async Task<List<(string Body, bool Encrypted)>> OutboxAsync(string subscriptionId)
    {
        await using var cmd = Factory.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("SELECT body::text, encrypted FROM notifications WHERE subscription_id = @id ORDER BY id");
        cmd.Parameters.AddWithValue("id", Guid.Parse(subscriptionId));
        var rows = new List<(string, bool)>();
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetBoolean(1)));
        }
        return rows;
    }

    /// <summary>A subscription's pending notification as the dispatcher left it: attempts made, when it is due, whether leased.</summary>
    public async Task<(int Attempts, DateTime DueAt, bool Leased)?> PendingNotificationAsync(string subscriptionId)
    {
        await using var cmd = Factory.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("SELECT attempts, due_at, lease IS NOT NULL FROM notifications WHERE subscription_id = @id");
        cmd.Parameters.AddWithValue("id", Guid.Parse(subscriptionId));
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        return await reader.ReadAsync(TestContext.Current.CancellationToken)
            ? (reader.GetInt32(0), reader.GetDateTime(1), reader.GetBoolean(2))
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();
}

/// <summary>A delivering host that requires confirmation, signing with <see cref="Secret"/>.</summary>
public sealed class ConfirmingDeliveryHost(ZaqarTestServer server) : DeliveryHost(server)
{
    public const string Secret = "confirmation-test-secret";
    public const string PublicBaseUrl = "https://zaqar.test.example";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Notifications:RequireConfirmation"] = "true",
        ["SignedUrl:SecretKey"] = Secret,
        ["Notifications:PublicBaseUrl"] = PublicBaseUrl,
        ["Notifications:ExternalConfirmationUrl"] = "https://confirm.test.example/page",
    };
}

/// <summary>Subscription helpers of the tests.</summary>
internal static class SubscriptionTestKit
{
    /// <summary>Creates a subscription that must answer 201; returns its id.</summary>
    public static async Task<string> SubscribeAsync(this ZaqarClient client, string queue, object body, string resource = "queues")
    {
        var response = await client.PostAsync($"/v2/{resource}/{queue}/subscriptions", body);
        Assert.True(response.Status == HttpStatusCode.Created, $"subscribe: {(int)response.Status} {response.Text}");
        return response.Json!["subscription_id"]!.GetValue<string>();
    }

    /// <summary>The subscription's representation (it must exist).</summary>
    public static async Task<System.Text.Json.Nodes.JsonNode> SubscriptionAsync(this ZaqarClient client, string queue, string id)
    {
        var response = await client.GetAsync($"/v2/queues/{queue}/subscriptions/{id}");
        Assert.True(response.Status == HttpStatusCode.OK, $"get subscription: {(int)response.Status} {response.Text}");
        return response.Json!;
    }

    /// <summary>Waits until the subscription's delivery tallies satisfy <paramref name="done"/>.</summary>
    public static async Task<System.Text.Json.Nodes.JsonNode> DeliveryAsync(
        this ZaqarClient client, string queue, string id, Func<System.Text.Json.Nodes.JsonNode, bool> done, Action? step = null) =>
        (await DeliveryWaits.UntilAsync(
            async () => (await client.SubscriptionAsync(queue, id))["delivery"]!, done, 10, "the subscription's delivery tallies", step));
}
