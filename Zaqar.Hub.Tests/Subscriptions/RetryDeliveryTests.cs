namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>Webhook retries (zaqar-v2-api.md section 5.3): what is retried, when, and what happens when the policy runs out.</summary>
[Collection(DeliveryCollection.Name)]
public sealed class RetryDeliveryTests(DeliveryHost host) : IClassFixture<DeliveryHost>
{
    [Fact]
    public async Task A5xxAnswerIsRetriedAtOnceUntilTheSubscriberTakesIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        receiver.Respond = (n, _) => Task.FromResult(n switch { 1 => 500, 2 => 502, _ => 204 });
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });

        await client.PostMessagesAsync("q", "again");

        var requests = await receiver.WaitForAsync(3);
        Assert.Single(requests.Select(r => r.Body).Distinct());
        var delivery = await client.DeliveryAsync("q", id, d => d["delivered"]!.GetValue<long>() == 1);
        Assert.Equal(0, delivery["failed"]!.GetValue<long>());
        Assert.Null(delivery["last_error"]);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task ASubscriberThatDoesNotAnswerInTimeIsRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        // The host allows 0.5 s per attempt.
        receiver.Respond = async (n, ct) =>
        {
            if (n == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
            return 200;
        };
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });

        await client.PostMessagesAsync("q", "slowly");

        var requests = await receiver.WaitForAsync(2);
        Assert.Equal(requests[0].Body, requests[1].Body);
        await client.DeliveryAsync("q", id, d => d["delivered"]!.GetValue<long>() == 1);
    }

    [Fact]
    public async Task DelayedRetriesFollowThePolicyOnTheServiceClockAndExhaustionIsRecorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        receiver.Respond = (_, _) => Task.FromResult(500);
        using var client = host.NewProject();
        // One retry at the minimum delay, linear backoff 5 and 10, one retry at the maximum: delays 5, 5, 10, 15.
        var id = await client.SubscribeAsync("q", new
        {
            subscriber = receiver.Url(),
            options = new
            {
                _retry_policy = new
                {
                    retries_with_no_delay = 0, minimum_delay_retries = 1, minimum_delay = 5, maximum_delay = 15, maximum_delay_retries = 1,
                    retry_backoff_function = "linear",
                },
            },
        });

        await client.PostMessagesAsync("q", "doomed");

        // The clock stands still between steps, so each retry is due exactly its delay after the failure before it; the
        // test then moves the clock to that moment and no further, however late the dispatcher looks (issue 12).
        int[] delays = [5, 5, 10, 15];
        await receiver.WaitForAsync(1);
        for (var failed = 1; failed <= delays.Length; failed++)
        {
            var pending = await DeliveryWaits.UntilAsync(() => host.PendingNotificationAsync(id), p => p is { Leased: false } && p.Value.Attempts == failed,
                10, $"attempt {failed} recorded as failed");
            var failedAt = receiver.Requests[failed - 1].At.UtcDateTime;
            Assert.Equal(delays[failed - 1], (pending!.Value.DueAt - failedAt).TotalSeconds, tolerance: 0.001);

            host.Clock.Advance(pending.Value.DueAt - host.Clock.GetUtcNow().UtcDateTime);
            var requests = await receiver.WaitForAsync(failed + 1);
            Assert.Equal(pending.Value.DueAt, requests[failed].At.UtcDateTime, TimeSpan.FromMilliseconds(1));
        }
        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1);
        Assert.Equal(0, delivery["pending"]!.GetValue<long>());
        Assert.Equal(0, delivery["delivered"]!.GetValue<long>());
        Assert.StartsWith("Gave up after 5 attempts. The subscriber answered 500", delivery["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(delivery["last_error_at"]);
        for (var i = 0; i < 40; i++)
        {
            host.Step();
        }
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(5, receiver.Requests.Count);
    }

    [Fact]
    public async Task TheQueuesPolicyAppliesUnlessTheSubscriptionHasItsOwn()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        receiver.Respond = (_, _) => Task.FromResult(503);
        using var client = host.NewProject();
        // Queue: one immediate retry, then backoff 1 and 6 (4 attempts). Subscription: backoff only (3 attempts).
        await client.PutAsync("/v2/queues/q", new
        {
            _retry_policy = new { retries_with_no_delay = 1, minimum_delay_retries = 0, minimum_delay = 1, maximum_delay = 11, maximum_delay_retries = 0 },
        });
        var byQueue = await client.SubscribeAsync("q", new { subscriber = receiver.Url("/queue-policy") });
        var own = await client.SubscribeAsync("q", new
        {
            subscriber = receiver.Url("/own-policy"),
            options = new { _retry_policy = new { retries_with_no_delay = 0, minimum_delay_retries = 0, minimum_delay = 1, maximum_delay = 11, maximum_delay_retries = 0 } },
        });

        await client.PostMessagesAsync("q", "x");

        await client.DeliveryAsync("q", byQueue, d => d["failed"]!.GetValue<long>() == 1, host.Step);
        await client.DeliveryAsync("q", own, d => d["failed"]!.GetValue<long>() == 1, host.Step);
        Assert.Equal(4, receiver.Requests.Count(r => r.Path == "/queue-policy"));
        Assert.Equal(3, receiver.Requests.Count(r => r.Path == "/own-policy"));
    }

    [Fact]
    public async Task A4xxAnswerIsNotRetriedAndIsRecordedAsAFailure()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        receiver.Respond = (_, _) => Task.FromResult(404);
        using var client = host.NewProject();
        var id = await client.SubscribeAsync("q", new { subscriber = receiver.Url() });

        await client.PostMessagesAsync("q", "nobody home");

        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1);
        Assert.Equal("The subscriber answered 404 Not Found; a 4xx answer is not retried.", delivery["last_error"]!.GetValue<string>());
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task AnUnreachableSubscriberIsRetriedAndGivenUp()
    {
        using var client = host.NewProject();
        // Nothing listens on the discard port of the loopback: the connection is refused at once.
        var id = await client.SubscribeAsync("q", new
        {
            subscriber = "http://127.0.0.1:9/nobody",
            options = new { _retry_policy = new { retries_with_no_delay = 2, minimum_delay_retries = 0, minimum_delay = 1, maximum_delay = 11, maximum_delay_retries = 0 } },
        });

        await client.PostMessagesAsync("q", "lost");

        var delivery = await client.DeliveryAsync("q", id, d => d["failed"]!.GetValue<long>() == 1, host.Step);
        Assert.StartsWith("Gave up after 5 attempts. The request failed:", delivery["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
