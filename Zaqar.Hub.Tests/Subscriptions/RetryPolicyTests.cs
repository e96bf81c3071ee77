using System.Text.Json.Nodes;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>The retry policy's delays (zaqar-v2-api.md 5.3); expected values computed with Zaqar's own formulas in Python.</summary>
public sealed class RetryPolicyTests
{
    /// <summary>The delays before each retry, in seconds, until the policy gives up.</summary>
    private static List<int> Schedule(RetryPolicy policy)
    {
        var delays = new List<int>();
        for (var failed = 1; policy.DelayAfter(failed) is { } delay; failed++)
        {
            delays.Add((int)delay.TotalSeconds);
        }
        Assert.Equal(policy.Retries, delays.Count);
        return delays;
    }

    [Fact]
    public void TheDefaultPolicyRetriesThriceAtOnceThriceAtTheMinimumThenLinearlyThenThriceAtTheMaximum()
    {
        Assert.Equal([0, 0, 0, 5, 5, 5, 5, 10, 15, 20, 25, 30, 30, 30], Schedule(new RetryPolicy()));
        Assert.Equal(Schedule(new RetryPolicy()), Schedule(RetryPolicy.Effective(null, null)));
    }

    [Theory]
    [InlineData("linear", 5, 30, new[] { 5, 10, 15, 20, 25 })]
    [InlineData("arithmetic", 5, 30, new[] { 5, 7, 12, 20, 30 })]
    [InlineData("geometric", 5, 30, new[] { 5, 7, 12, 19, 30 })]
    [InlineData("exponential", 5, 30, new[] { 5, 7, 12, 19, 30 })]
    [InlineData("linear", 2, 60, new[] { 2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57 })]
    [InlineData("arithmetic", 2, 60, new[] { 2, 3, 5, 8, 12, 17, 24, 31, 39, 49, 59 })]
    [InlineData("geometric", 2, 60, new[] { 2, 2, 3, 5, 7, 10, 15, 21, 30, 42, 59 })]
    [InlineData("exponential", 10, 100, new[] { 10, 11, 13, 15, 17, 19, 22, 25, 29, 33, 38, 44, 50, 58, 66, 76, 87, 100 })]
    [InlineData("arithmetic", 10, 100, new[] { 10, 10, 11, 13, 15, 18, 22, 26, 31, 36, 42, 48, 55, 63, 71, 80, 90, 100 })]
    public void BackoffFunctionsGiveZaqarsDelays(string function, int min, int max, int[] backoff)
    {
        var policy = new RetryPolicy(0, 0, min, max, 0, function);

        Assert.Equal(backoff, Schedule(policy));
    }

    [Fact]
    public void TheSubscriptionsPolicyWinsUnlessEitherPolicyIgnoresTheOverride()
    {
        var subscription = JsonNode.Parse("""{"retries_with_no_delay": 1}""");
        var queue = JsonNode.Parse("""{"retries_with_no_delay": 2}""");
        var queueIgnoring = JsonNode.Parse("""{"retries_with_no_delay": 2, "ignore_subscription_override": true}""");
        var subscriptionIgnoring = JsonNode.Parse("""{"retries_with_no_delay": 1, "ignore_subscription_override": true}""");

        Assert.Equal(1, RetryPolicy.Effective(subscription, queue).RetriesWithNoDelay);
        Assert.Equal(2, RetryPolicy.Effective(null, queue).RetriesWithNoDelay);
        Assert.Equal(2, RetryPolicy.Effective(subscription, queueIgnoring).RetriesWithNoDelay);
        Assert.Equal(2, RetryPolicy.Effective(subscriptionIgnoring, queue).RetriesWithNoDelay);
        // Ignoring the override without a queue policy leaves the defaults.
        Assert.Equal(RetryPolicy.DefaultRetriesWithNoDelay, RetryPolicy.Effective(subscriptionIgnoring, null).RetriesWithNoDelay);
    }

    [Fact]
    public void APresentZeroCountsAndAnAbsentKeyTakesTheDefault()
    {
        var policy = RetryPolicy.From(JsonNode.Parse("""{"retries_with_no_delay": 0, "minimum_delay_retries": 0, "maximum_delay_retries": 1}""")!.AsObject());

        Assert.Equal([5, 10, 15, 20, 25, 30], Schedule(policy));
    }

    [Theory]
    [InlineData(200, DeliveryOutcome.Delivered)]
    [InlineData(204, DeliveryOutcome.Delivered)]
    [InlineData(302, DeliveryOutcome.Delivered)]
    [InlineData(400, DeliveryOutcome.Refused)]
    [InlineData(499, DeliveryOutcome.Refused)]
    [InlineData(500, DeliveryOutcome.Retry)]
    [InlineData(503, DeliveryOutcome.Retry)]
    [InlineData(101, DeliveryOutcome.Retry)]
    public void AWebhookAnswerOutside200To499IsRetried(int status, DeliveryOutcome outcome) => Assert.Equal(outcome, RetryPolicy.OutcomeOf(status));

    [Fact]
    public void AHugePolicyCostsNothingUntilUsed()
    {
        var policy = new RetryPolicy(int.MaxValue, int.MaxValue, 1, int.MaxValue, int.MaxValue, "geometric");

        Assert.Equal(TimeSpan.Zero, policy.DelayAfter(int.MaxValue));
        Assert.True(policy.Retries > int.MaxValue);
    }
}
