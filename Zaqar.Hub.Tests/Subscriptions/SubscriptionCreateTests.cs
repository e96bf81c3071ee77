using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>POST /v2/queues/{q}/subscriptions (zaqar-v2-api.md section 5.1).</summary>
public sealed class SubscriptionCreateTests(ZaqarTestServer server)
{
    private const string Hook = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task CreatingAnswers201WithTheIdAndTheCollectionAsLocationAndCreatesTheQueue()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/fresh/subscriptions", new { subscriber = Hook, ttl = 600, options = new { a = 1 } });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("/v2/queues/fresh/subscriptions", response.Location);
        var id = response.Json!["subscription_id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal(["subscription_id"], response.Json!.AsObject().Select(p => p.Key));
        var queues = await client.GetAsync("/v2/queues");
        Assert.Equal("fresh", queues.Json!["queues"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnOmittedTtlIsTheConfiguredDefaultAndOptionsDefaultToAnEmptyObject()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = "https://example.com/a?b=c" });

        var subscription = await client.SubscriptionAsync("q", id);

        Assert.Equal(3600, subscription["ttl"]!.GetValue<int>());
        Assert.Equal("{}", subscription["options"]!.ToJsonString());
        Assert.Equal("https://example.com/a?b=c", subscription["subscriber"]!.GetValue<string>());
        Assert.False(subscription["confirmed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task TheSameSubscriberAgainAnswersTheExistingIdWhileUnconfirmedAndConflictOnceConfirmed()
    {
        using var client = server.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = Hook });

        var again = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = Hook, ttl = 120 });
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal(id, again.Json!["subscription_id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsync($"/v2/queues/q/subscriptions/{id}/confirm", new { confirmed = true })).Status);
        var conflict = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = Hook });
        conflict.AssertError(HttpStatusCode.Conflict, "Resource conflict", "Subscriptions are unique by project + queue + subscriber URI.");
        Assert.Equal("/v2/queues/q/subscriptions", conflict.Location);

        // Another queue, or another subscriber, is another subscription.
        Assert.NotEqual(id, await client.SubscribeAsync("other", new { subscriber = Hook }));
        Assert.NotEqual(id, await client.SubscribeAsync("q", new { subscriber = Hook + "2" }));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("")]
    [InlineData("""{"ttl": 120}""")]
    public async Task ASubscriberIsRequired(string body)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", body.Length == 0 ? null : body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Missing parameter subscriber in body.");
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("example.com/hook")]
    [InlineData("")]
    public async Task ASubscriberOfAnotherTypeIsRefusedWithTheSupportedList(string subscriber)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request",
            "The subscriber type of subscription must be supported in the list ['http', 'https', 'mailto', 'trust+http', 'trust+https'].");
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("https://[fe80::1]/hook", "fe80::1")]
    [InlineData("http://[::ffff:169.254.169.254]/hook", "169.254.169.254")]
    [InlineData("http://0.0.0.0:8888/v2/queues", "0.0.0.0")]
    public async Task AWebhookToABlockedNetworkIsRefusedWhenSubscribing(string subscriber, string address)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request",
            $"The address {address} is in a network this service does not send webhooks to (Notifications:WebhookBlockedNetworks).");
        Assert.Empty((await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }

    [Fact]
    public async Task AWebhookToAnAddressJustOutsideTheBlockedNetworksIsAccepted()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = "http://169.255.0.1/hook" });

        Assert.Equal(HttpStatusCode.Created, response.Status);
    }

    [Theory]
    [InlineData("trust+http://example.com/hook")]
    [InlineData("trust+https://example.com/hook")]
    public async Task TrustSubscribersAreRefusedBecauseTheyNeedKeystone(string subscriber)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "needs Keystone trusts");
    }

    /// <summary>Issue 13 item 4: as Zaqar does, whatever mail path the deployment has (MailPathTests: what then happens).</summary>
    [Fact]
    public async Task MailtoSubscribersAreAcceptedWithoutAnSmtpServer()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", new { subscriber = "mailto:ops@example.com" });

        Assert.Equal(HttpStatusCode.Created, response.Status);
    }

    [Theory]
    [InlineData("""{"subscriber": "http://"}""", "absolute http or https URL")]
    [InlineData("""{"subscriber": 5}""", "The subscriber must be a string")]
    [InlineData("""{"subscriber": "http://x/h", "ttl": "60"}""", "TTL must be an integer.")]
    [InlineData("""{"subscriber": "http://x/h", "ttl": 60.5}""", "TTL must be an integer.")]
    [InlineData("""{"subscriber": "http://x/h", "ttl": 59}""", "The TTL for a subscription must be at least 60 seconds long.")]
    [InlineData("""{"subscriber": "http://x/h", "ttl": 0}""", "The TTL for a subscription must be at least 60 seconds long.")]
    [InlineData("""{"subscriber": "http://x/h", "ttl": 9223372036854775807}""", "must be less than 9999-12-31")]
    [InlineData("""{"subscriber": "http://x/h", "options": [1]}""", "Options must be a dict.")]
    [InlineData("""{"subscriber": "http://x/h", "options": {"_retry_policy": "fast"}}""", "retry_policy must be a dict.")]
    [InlineData("""{"subscriber": "http://x/h", "options": {"_retry_policy": {"minimum_delay": 20, "maximum_delay": 25}}}""",
        "The difference between maximum_delay and minimum_delay must be at least 10 seconds.")]
    [InlineData("""{"subscriber": "http://x/h", "options": {"_retry_policy": {"retry_backoff_function": "cubic"}}}""",
        "retry_backoff_function must be one of")]
    [InlineData("""{"subscriber": "http://x/h", "options": {"post_headers": {"X-N": 5}}}""", "post_headers must be a dict")]
    [InlineData("""{"subscriber": "http://x/h", "options": {"post_data": 5}}""", "post_data must be a string")]
    [InlineData("""[{"subscriber": "http://x/h"}]""", "Subscriptions must be a dict.")]
    public async Task InvalidDocumentsAreRefusedWithZaqarsMessages(string body, string description)
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/subscriptions", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request", description);
    }

    [Fact]
    public async Task MalformedJsonAndBadQueueNamesAreRefusedBeforeAnythingIsCreated()
    {
        using var client = server.NewProject();

        (await client.PostAsync("/v2/queues/q/subscriptions", "{\"subscriber\":")).AssertError(
            HttpStatusCode.BadRequest, "Invalid request body", "Request body could not be parsed.");
        (await client.PostAsync("/v2/queues/bad%20name/subscriptions", new { subscriber = Hook })).AssertError(
            HttpStatusCode.BadRequest, "Invalid queue identification");
        Assert.Empty((await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }
}
