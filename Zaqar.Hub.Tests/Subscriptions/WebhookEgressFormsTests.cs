using System.Net;
using Zaqar.Hub.Api;
using Zaqar.Hub.Background;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Issue 10, item 6: a blocked IPv4 address stays blocked in every IPv6 form that embeds it, when subscribing (the URL's
/// literal address) and when connecting (the address a delivery is about to connect to).
/// </summary>
public sealed class WebhookEgressFormsTests(ZaqarTestServer server)
{
    /// <summary>169.254.169.254, the instance-metadata address the default settings block, as IPv6 forms that embed it.</summary>
    public static TheoryData<string, string> MetadataForms => new()
    {
        { "::ffff:169.254.169.254", "IPv4-mapped" },
        { "::a9fe:a9fe", "IPv4-compatible" },
        { "::ffff:0:a9fe:a9fe", "IPv4-translated" },
        { "64:ff9b::a9fe:a9fe", "NAT64, well-known prefix" },
        { "64:ff9b:1::a9fe:a9fe", "NAT64, local-use prefix as a /96" },
        { "64:ff9b:1:0:a9:fea9:fe00:0", "NAT64, local-use prefix as a /64" },
        { "64:ff9b:1:a9:fe:a9fe::", "NAT64, local-use prefix as a /56" },
        { "64:ff9b:1:a9fe:a9:fe00::", "NAT64, local-use prefix as a /48" },
        { "2002:a9fe:a9fe::1", "6to4" },
        { "2001:0:4136:e378:8000:63bf:5601:5601", "Teredo client (obfuscated)" },
        { "2001:0:a9fe:a9fe::1", "Teredo server" },
        { "2001:db8::200:5efe:a9fe:a9fe", "ISATAP" },
    };

    private static WebhookEgress Egress(string networks) =>
        WebhookEgress.TryParse(networks, out var egress, out var error) ? egress : throw new InvalidOperationException(error);

    private static readonly WebhookEgress Defaults = WebhookEgress.From(new NotificationOptions());

    [Theory]
    [MemberData(nameof(MetadataForms))]
    public void EveryIPv6FormOfABlockedIPv4AddressIsBlocked(string form, string kind)
    {
        var address = IPAddress.Parse(form);

        Assert.True(Defaults.IsBlocked(address), kind);
        // Named by the blocked IPv4 form found (a local-use NAT64 address is read at every prefix length, so maybe another of 169.254/16).
        Assert.Contains("169.254.", Defaults.Refusal(address), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")]
    [InlineData("2001:db8::1")]
    [InlineData("8.8.8.8")]
    public void TheSameFormsOfAnAllowedAddressAreAllowed(string form) => Assert.False(Defaults.IsBlocked(IPAddress.Parse(form)));

    [Theory]
    [MemberData(nameof(MetadataForms))]
    public async Task ASubscriberUrlSpellingABlockedAddressInAnyIPv6FormIsRefusedWith400(string form, string kind)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = $"http://[{form}]:8080/hook" });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "169.254.");
        Assert.True(response.Text.Contains("does not send webhooks to", StringComparison.Ordinal), kind);
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::7f00:1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:7f00:1::1")]
    public async Task AConnectionToAnIPv6FormOfABlockedAddressIsNeverOpened(string form)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.BaseUrl).Port;
        using var blocking = new HttpClient(WebhookSender.CreateHandler(Egress("127.0.0.0/8")));
        using var open = new HttpClient(WebhookSender.CreateHandler(Egress("10.0.0.0/8")));
        var ct = TestContext.Current.CancellationToken;

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => blocking.PostAsync($"http://[{form}]:{port}/hook", null, ct));

        Assert.IsType<WebhookAddressBlockedException>(refused.InnerException);
        Assert.Contains("127.0.0.1", refused.InnerException.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        // The same handler reaches the receiver through the mapped form when loopback is not blocked.
        using var reached = await open.PostAsync($"http://[::ffff:127.0.0.1]:{port}/hook", null, ct);
        Assert.Equal(HttpStatusCode.OK, reached.StatusCode);
    }
}
