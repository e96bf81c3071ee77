using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Issue 10, item 2: a tenant-controlled value that would reach an outgoing webhook request or email with a control
/// character, as a header the service frames the request with, or as an unusable address is refused when subscribing
/// (400, Zaqar's error body), on every way to subscribe, and nothing is stored.
/// </summary>
public sealed class OutgoingValueRuleTests(MailCapableHost host) : IClassFixture<MailCapableHost>
{
    private const string Hook = "http://127.0.0.1:9/hook";

    private readonly ZaqarFactory _factory = host.Factory;

    public static TheoryData<string, string, string> RefusedHeaders => new()
    {
        { "X-Token", "s3cret\r\nHost: internal.example", "holds a control character" },
        { "X-Token", "a\nb", "holds a control character" },
        { "X-Token", "a\tb", "holds a control character" },
        { "X-Token", "a\u007fb", "holds a control character" },
        { "X-Token", "caf\u00e9", "non-ASCII" },
        { "X Token", "1", "is not a valid header name" },
        { "X-Token\r\nHost", "1", "is not a valid header name" },
        { ":authority", "internal.example", "is not a valid header name" },
        { "", "1", "is not a valid header name" },
        { "Host", "internal.example", "can't be set" },
        { "host", "internal.example", "can't be set" },
        { "Content-Length", "0", "can't be set" },
        { "Transfer-Encoding", "chunked", "can't be set" },
        { "Connection", "keep-alive", "can't be set" },
        { "Keep-Alive", "timeout=5", "can't be set" },
        { "Proxy-Authorization", "Basic eDp5", "can't be set" },
        { "Proxy-Connection", "keep-alive", "can't be set" },
        { "TE", "trailers", "can't be set" },
        { "Trailer", "X-Token", "can't be set" },
        { "Upgrade", "h2c", "can't be set" },
        { "Expect", "100-continue", "can't be set" },
        { "Date", "not a date", "is not valid for that header" },
    };

    [Theory]
    [MemberData(nameof(RefusedHeaders))]
    public async Task APostHeaderThatCouldSplitOrReframeTheRequestIsRefusedAndNothingIsStored(string name, string value, string reason)
    {
        using var client = _factory.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", Subscription(Hook, name, value));

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", reason);
        Assert.Contains("post_headers", response.Json!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task OrdinaryPostHeadersAreAccepted()
    {
        using var client = _factory.NewProject();

        var id = await client.SubscribeAsync("q", new
        {
            subscriber = Hook,
            options = new
            {
                post_headers = new Dictionary<string, string>
                {
                    ["X-Token"] = "s3cret", ["Authorization"] = "Bearer abc.def", ["Content-Type"] = "application/vnd.test+json",
                    ["X-Empty"] = "", ["User-Agent"] = "orders/1.0", ["Accept"] = "*/*",
                },
            },
        });

        Assert.Equal("s3cret", (await client.SubscriptionAsync("q", id))["options"]!["post_headers"]!["X-Token"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheRuleHoldsOnEveryWayToSubscribeAndLeavesTheStoredSubscriptionAsItWas()
    {
        using var client = _factory.NewProject();
        await using var hub = await HubJsonClient.ConnectAsync(_factory, client);
        var bad = Subscription(Hook + "2", "Transfer-Encoding", "chunked");
        var badOptions = Options("Transfer-Encoding", "chunked");
        var queueId = await client.SubscribeAsync("q", new { subscriber = Hook, options = new { a = 1 } });
        var topicId = await client.SubscribeAsync("t", new { subscriber = Hook, options = new { a = 1 } }, resource: "topics");

        ZaqarClient.Response[] rest =
        [
            await client.PostAsync("/v2/queues/q/subscriptions", bad),
            await client.PostAsync("/v2/topics/t/subscriptions", bad),
            await client.PatchAsync($"/v2/queues/q/subscriptions/{queueId}", new { options = badOptions }, "application/json"),
            await client.PatchAsync($"/v2/topics/t/subscriptions/{topicId}", new { options = badOptions }, "application/json"),
        ];
        var hubErrors = new[]
        {
            await hub.ErrorAsync("CreateSubscription", "q", bad),
            await hub.ErrorAsync("UpdateSubscription", "q", queueId, new { options = badOptions }),
            // The options of a hub connection's own subscription follow the same rule.
            await hub.ErrorAsync("CreateSubscription", "q", new { options = badOptions }),
        };

        Assert.All(rest, r => r.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Transfer-Encoding can't be set"));
        Assert.All(hubErrors, e => Assert.Equal(
            (400, "Invalid API request"), (e["status"]!.GetValue<int>(), e["title"]!.GetValue<string>())));
        Assert.All(hubErrors, e => Assert.Contains("Transfer-Encoding can't be set", e["description"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Single((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
        Assert.Equal("""{"a":1}""", (await client.SubscriptionAsync("q", queueId))["options"]!.ToJsonString());
        Assert.Equal("""{"a":1}""", (await client.GetAsync($"/v2/topics/t/subscriptions/{topicId}")).Json!["options"]!.ToJsonString());
    }

    public static TheoryData<string, string> RefusedMail => new()
    {
        { """{"subscriber": "mailto:ops@example.com%0D%0ABcc:%20x@evil.example"}""", "control character" },
        { """{"subscriber": "mailto:ops@example.com?subject=Hi%0D%0ABcc:%20x@evil.example"}""", "control character" },
        { """{"subscriber": "mailto:ops@example.com\r\nBcc: x@evil.example"}""", "control character" },
        { """{"subscriber": "mailto:ops@@example.com"}""", "not a usable email address" },
        { """{"subscriber": "mailto:ops@example.com", "options": {"subject": "Hi\r\nBcc: x@evil.example"}}""", "control character" },
        { """{"subscriber": "mailto:ops@example.com", "options": {"from": "me@example.com\r\nBcc: x@evil.example"}}""", "control character" },
        { """{"subscriber": "mailto:ops@example.com", "options": {"from": "me@example.com, x@evil.example"}}""", "not a usable email address" },
        { """{"subscriber": "http://127.0.0.1:9/hook\r\nHost: internal.example"}""", "control character" },
    };

    [Theory]
    [MemberData(nameof(RefusedMail))]
    public async Task AnEmailValueOrSubscriberThatCouldInjectHeadersIsRefusedAndNothingIsStored(string document, string reason)
    {
        using var client = _factory.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", document);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", reason);
        Assert.Empty((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task OrdinaryEmailValuesAreAccepted()
    {
        using var client = _factory.NewProject();

        await client.SubscribeAsync("q", new
        {
            subscriber = "mailto:ops@example.com,oncall@example.com?subject=New%20order%20%E2%9C%93",
            options = new { from = "Orders <orders@shop.example>", subject = "Zürich orders" },
        });
    }

    [Fact]
    public void EveryControlCharacterAndNonAsciiTextIsRefusedInAHeaderValue()
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Hook) { Content = new ByteArrayContent([]) };
        char[] refused = [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007f', '\u0080', '\u00e9', '\u2028', '\ud83d'];

        Assert.All(refused, c => Assert.NotNull(Api.OutgoingValues.TryAddHeader(message, "X-Token", $"a{c}b")));
        Assert.Null(Api.OutgoingValues.TryAddHeader(message, "X-Token", " !\"#~ printable ASCII "));
        Assert.Equal(" !\"#~ printable ASCII ", Assert.Single(message.Headers.GetValues("X-Token")));
    }

    private static object Subscription(string subscriber, string header, string value) => new { subscriber, options = Options(header, value) };

    private static object Options(string header, string value) => new { post_headers = new Dictionary<string, string> { [header] = value } };
}

/// <summary>A service instance with an SMTP host, so mailto subscribers are judged by their values (the dispatcher is off: nothing is sent).</summary>
public sealed class MailCapableHost(ZaqarTestServer server) : IAsyncLifetime
{
    public ZaqarFactory Factory { get; } = server.CreateFactory(new Dictionary<string, string?> { ["Notifications:Smtp:Host"] = "127.0.0.1" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
