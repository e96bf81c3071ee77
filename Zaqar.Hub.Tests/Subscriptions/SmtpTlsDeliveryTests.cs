using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Issue 15: mail goes through MailKit, with STARTTLS and AUTH, to a relay with a self-signed certificate that the
/// deployment pins (Notifications:Smtp:TrustedCertificateSha256); an unpinned self-signed certificate is not trusted.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class SmtpTlsDeliveryTests(ZaqarTestServer server)
{
    private static readonly NetworkCredential Relay = new("zaqar", "relay-secret");

    private ZaqarFactory Delivering(SmtpSink sink, X509Certificate2? pinned, string password) => server.CreateFactory(new Dictionary<string, string?>
    {
        ["Notifications:DispatcherEnabled"] = "true",
        ["Notifications:PollIntervalSeconds"] = "0.05",
        ["Notifications:LeaseSeconds"] = "30",
        ["Notifications:Smtp:Host"] = "127.0.0.1",
        ["Notifications:Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
        ["Notifications:Smtp:EnableStartTls"] = "true",
        ["Notifications:Smtp:UserName"] = Relay.UserName,
        ["Notifications:Smtp:Password"] = password,
        ["Notifications:Smtp:TrustedCertificateSha256"] = pinned is null ? null : Convert.ToHexString(pinned.GetCertHash(HashAlgorithmName.SHA256)),
        ["Notifications:Smtp:CheckCertificateRevocation"] = "false",
        ["Notifications:Smtp:TimeoutSeconds"] = "5",
        ["Notifications:Smtp:From"] = "Zaqar <zaqar@test.example>",
    });

    [Fact]
    public async Task MailIsSentOverStartTlsAfterAuthenticatingToARelayWhoseCertificateIsPinned()
    {
        using var certificate = SelfSigned();
        await using var sink = new SmtpSink(certificate, Relay);
        await using var factory = Delivering(sink, certificate, Relay.Password);
        using var client = factory.NewProject();
        var id = await client.SubscribeAsync("orders", new { subscriber = $"mailto:{client.Project}@example.com?subject=Gr%C3%BC%C3%9Fe" });

        await client.PostMessagesAsync("orders", new { city = "Zürich" });

        var mail = Assert.Single(await sink.WaitForAsync(m => m.To.Contains($"{client.Project}@example.com")));
        Assert.True(mail.Tls);
        Assert.Equal(Relay.UserName, mail.User);
        Assert.Equal("Grüße", mail.Subject);
        Assert.Contains("Zürich", mail.Body, StringComparison.Ordinal);
        await client.DeliveryAsync("orders", id, d => d["delivered"]!.GetValue<long>() == 1);
    }

    [Theory]
    [InlineData(true, "relay-secret", "certificate")]
    [InlineData(false, "wrong", "did not accept the credentials")]
    public async Task AnUntrustedCertificateOrWrongCredentialsSendNothingAndTheDeliveryIsRetriedWithTheReason(
        bool unpinned, string password, string reason)
    {
        using var certificate = SelfSigned();
        await using var sink = new SmtpSink(certificate, Relay);
        await using var factory = Delivering(sink, unpinned ? null : certificate, password);
        using var client = factory.NewProject();
        var id = await client.SubscribeAsync("orders", new { subscriber = $"mailto:{client.Project}@example.com" });

        await client.PostMessagesAsync("orders", "one");

        var error = await DeliveryWaits.UntilAsync(() => RetryErrorAsync(factory, id), e => e is not null, 10, "the retry's error");
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(sink.Mails);
        // Its retry stays due in the outbox the delivering tests share: deleting the subscription takes it away.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2/queues/orders/subscriptions/{id}")).Status);
    }

    private static async Task<string?> RetryErrorAsync(ZaqarFactory factory, string subscriptionId)
    {
        await using var cmd = factory.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("SELECT last_error FROM notifications WHERE subscription_id = @id AND attempts > 0");
        cmd.Parameters.AddWithValue("id", Guid.Parse(subscriptionId));
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string;
    }

    /// <summary>A relay's self-signed certificate for 127.0.0.1, with its private key (loaded from PKCS#12, as SslStream needs on Linux).</summary>
    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
