using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Zaqar.Hub.Background;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Issue 13 item 4: without an SMTP server, mailto subscriptions are accepted as Zaqar accepts them; their mail goes
/// through the local sendmail program when there is one (Zaqar's default), and otherwise their deliveries fail with a
/// clear last_error, logged once rather than per delivery.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class MailPathTests(ZaqarTestServer server)
{
    private ZaqarFactory Delivering(string sendmailCommand, LogCapture? log = null) => server.CreateFactory(
        new Dictionary<string, string?>
        {
            ["Notifications:DispatcherEnabled"] = "true",
            ["Notifications:PollIntervalSeconds"] = "0.05",
            ["Notifications:LeaseSeconds"] = "30",
            ["Notifications:Smtp:TimeoutSeconds"] = "5",
            ["Notifications:Smtp:SendmailCommand"] = sendmailCommand,
            ["Notifications:Smtp:From"] = "Zaqar <zaqar@test.example>",
        },
        new ManualClock(),
        services =>
        {
            if (log is not null)
            {
                services.AddSingleton<ILoggerProvider>(log);
            }
        });

    [Fact]
    public async Task WithNoMailPathMailtoDeliveriesAreRecordedFailedWithTheReasonWhichIsLoggedOnce()
    {
        var log = new LogCapture();
        await using var factory = Delivering("/nonexistent/sbin/sendmail -t -oi", log);
        using var client = factory.NewProject();
        var first = await client.SubscribeAsync("orders", new { subscriber = $"mailto:ops-{client.Project}@example.com" });
        var second = await client.SubscribeAsync("orders", new { subscriber = $"mailto:sales-{client.Project}@example.com" });

        await client.PostMessagesAsync("orders", "one");
        await client.PostMessagesAsync("orders", "two");

        foreach (var id in new[] { first, second })
        {
            var delivery = await client.DeliveryAsync("orders", id, d => d["failed"]!.GetValue<long>() == 2);
            Assert.Equal(MailSender.NoMailPath, delivery["last_error"]!.GetValue<string>());
            Assert.Equal(0, delivery["delivered"]!.GetValue<long>());
        }
        var logged = Assert.Single(log.Entries, e => e.Event.Name == "NoMailPath");
        Assert.Contains("/nonexistent/sbin/sendmail", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.Event.Name == "NotificationRefused");
    }

    [Fact]
    public async Task WithoutAnSmtpServerMailGoesThroughTheSendmailProgramWithItsHeadersEncoded()
    {
        var outbox = Directory.CreateTempSubdirectory("zaqar-sendmail-");
        try
        {
            // A sendmail that keeps what it is given: its arguments, and the message it reads.
            var script = Path.Combine(outbox.FullName, "sendmail.sh");
            await File.WriteAllTextAsync(script, """
                out="$1"; shift
                printf '%s' "$*" > "$out/args"
                cat > "$out/mail.tmp" && mv "$out/mail.tmp" "$out/mail"
                """, TestContext.Current.CancellationToken);
            await using var factory = Delivering($"/bin/sh {script} {outbox.FullName} -t -oi");
            using var client = factory.NewProject();
            var id = await client.SubscribeAsync("orders", new
            {
                subscriber = $"mailto:{client.Project}@example.com?subject=Gr%C3%BC%C3%9Fe",
                options = new { from = "Shop <orders@shop.example>" },
            });

            var messageId = (await client.PostMessagesAsync("orders", new { order = 7, city = "Zürich" }))[0];

            await client.DeliveryAsync("orders", id, d => d["delivered"]!.GetValue<long>() == 1);
            Assert.Equal("-t -oi", await File.ReadAllTextAsync(Path.Combine(outbox.FullName, "args"), TestContext.Current.CancellationToken));
            var mail = await File.ReadAllTextAsync(Path.Combine(outbox.FullName, "mail"), TestContext.Current.CancellationToken);
            var (headers, body) = (mail.Split("\n\n", 2)[0].Split('\n'), mail.Split("\n\n", 2)[1]);
            Assert.Contains("From: Shop <orders@shop.example>", headers);
            Assert.Contains($"To: {client.Project}@example.com", headers);
            Assert.Equal("Grüße", Decoded(Assert.Single(headers, h => h.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..]));
            Assert.Contains("Content-Type: text/plain; charset=utf-8", headers);
            var document = JsonNode.Parse(Convert.FromBase64String(body.Replace("\n", "", StringComparison.Ordinal)))!;
            Assert.Equal(messageId, document["id"]!.GetValue<string>());
            Assert.Equal("Zürich", document["body"]!["city"]!.GetValue<string>());
        }
        finally
        {
            outbox.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ASendmailThatFailsIsRetriedWithItsExitCodeAndFirstErrorLineAsTheLastError()
    {
        var outbox = Directory.CreateTempSubdirectory("zaqar-sendmail-");
        try
        {
            var script = Path.Combine(outbox.FullName, "sendmail.sh");
            await File.WriteAllTextAsync(script, "cat > /dev/null\necho 'queue directory full' >&2\nexit 75\n", TestContext.Current.CancellationToken);
            await using var factory = Delivering($"/bin/sh {script}");
            using var client = factory.NewProject();
            var id = await client.SubscribeAsync("orders", new { subscriber = $"mailto:{client.Project}@example.com" });

            await client.PostMessagesAsync("orders", "one");

            // A retry keeps its error on the outbox row (the subscription's last_error records failures only).
            var error = await DeliveryWaits.UntilAsync(() => OutboxErrorAsync(factory, id), e => e is not null, 10, "the retry's error");
            Assert.Equal("The sendmail program /bin/sh exited with code 75: queue directory full", error);
            Assert.Equal(0, (await client.SubscriptionAsync("orders", id))["delivery"]!["failed"]!.GetValue<long>());
            // Its retry stays due in the outbox the delivering tests share: deleting the subscription takes it away.
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/orders/subscriptions/{id}")).Status);
            Assert.Null(await OutboxErrorAsync(factory, id));
        }
        finally
        {
            outbox.Delete(recursive: true);
        }
    }

    private static async Task<string?> OutboxErrorAsync(ZaqarFactory factory, string subscriptionId)
    {
        await using var cmd = factory.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("SELECT last_error FROM notifications WHERE subscription_id = @id AND attempts > 0");
        cmd.Parameters.AddWithValue("id", Guid.Parse(subscriptionId));
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string;
    }

    /// <summary>An RFC 2047 encoded word (UTF-8, base64) as text; any other header value as it is.</summary>
    // RFC 2047 encoded words, B or Q, as any mail reader decodes them.
    private static string Decoded(string value) => MimeKit.Utils.Rfc2047.DecodeText(Encoding.ASCII.GetBytes(value));
}
