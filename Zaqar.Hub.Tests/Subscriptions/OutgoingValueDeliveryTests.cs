using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Issue 10, item 2, in depth: the senders apply the subscribe rule again, so a subscription stored before the rule
/// existed (written here straight into the database) gets a failed delivery, recorded on the subscription, and its
/// values never reach the webhook or the SMTP server; and a JSON <c>post_data</c> template stays JSON.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class OutgoingValueDeliveryTests(DeliveryHost host) : IClassFixture<DeliveryHost>
{
    [Theory]
    [InlineData("X-Token", "s3cret\r\nHost: internal.example", "holds a control character")]
    [InlineData("Transfer-Encoding", "chunked", "Transfer-Encoding can't be set")]
    [InlineData("X Token", "1", "is not a valid header name")]
    public async Task AWebhookStoredBeforeTheRuleIsRecordedFailedAndNeverSent(string name, string value, string reason)
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });
        await StoreAsIfBeforeTheRuleAsync(id, options: new JsonObject { ["post_headers"] = new JsonObject { [name] = value } });

        await client.PostMessagesAsync("q", "m");

        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1);
        Assert.StartsWith("Not sent: post_headers", delivery["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(reason, delivery["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, delivery["delivered"]!.GetValue<long>());
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("mailto:{0}?subject=Hi%0D%0ABcc:%20x@evil.example", null, "subject")]
    [InlineData("mailto:{0}%0D%0ABcc:%20x@evil.example", null, "recipient")]
    [InlineData("mailto:{0}", "me@example.com\r\nBcc: x@evil.example", "sender")]
    public async Task AnEmailStoredBeforeTheRuleIsRecordedFailedAndNeverSent(string subscriber, string? from, string field)
    {
        using var client = host.NewProject();
        var address = $"{client.Project}@example.com";
        var id = await client.SubscribeAsync("q", new { subscriber = "mailto:" + address });
        await StoreAsIfBeforeTheRuleAsync(id, string.Format(System.Globalization.CultureInfo.InvariantCulture, subscriber, address),
            from is null ? null : new JsonObject { ["from"] = from });

        await client.PostMessagesAsync("q", "m");

        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1);
        Assert.StartsWith($"Not sent: The {field}", delivery["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Smtp.Mails, m => m.To.Any(t => t.Contains(client.Project, StringComparison.Ordinal)) || m.To.Contains("x@evil.example"));
    }

    [Fact]
    public async Task AJsonPostDataTemplateStaysJsonWhateverItsKeysAndTheMessageHold()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        await client.SubscribeAsync("q", new
        {
            subscriber = receiver.Url(),
            options = new
            {
                post_data = new Dictionary<string, object>
                {
                    ["$zaqar_message$"] = "$zaqar_message$",
                    ["note"] = "see \"$zaqar_message$\"",
                    ["list"] = new object[] { "$zaqar_message$", 1 },
                },
            },
        });

        var id = (await client.PostMessagesAsync("q", "\"}, \"injected\": {\""))[0];

        var body = JsonNode.Parse(Assert.Single(await receiver.WaitForAsync(1)).Body)!.AsObject();
        Assert.Equal(["$zaqar_message$", "list", "note"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(id, body["$zaqar_message$"]!["id"]!.GetValue<string>());
        Assert.Equal("\"}, \"injected\": {\"", body["$zaqar_message$"]!["body"]!.GetValue<string>());
        Assert.Equal("see \"$zaqar_message$\"", body["note"]!.GetValue<string>());
        Assert.Equal(id, body["list"]![0]!["id"]!.GetValue<string>());
    }

    /// <summary>Rewrites a subscription's subscriber and/or options in the database, past every rule of the API.</summary>
    private async Task StoreAsIfBeforeTheRuleAsync(string id, string? subscriber = null, JsonObject? options = null)
    {
        await using var cmd = host.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "UPDATE subscriptions SET subscriber = coalesce(@subscriber, subscriber), options = coalesce(@options, options) WHERE id = @id");
        cmd.Parameters.AddWithValue("id", Guid.Parse(id));
        cmd.Parameters.Add(new NpgsqlParameter("subscriber", NpgsqlDbType.Text) { Value = (object?)subscriber ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("options", NpgsqlDbType.Jsonb) { Value = (object?)options?.ToJsonString() ?? DBNull.Value });
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
    }
}
