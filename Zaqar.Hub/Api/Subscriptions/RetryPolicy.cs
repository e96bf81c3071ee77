using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Api;

/// <summary>How one delivery attempt ended.</summary>
public enum DeliveryOutcome
{
    Delivered,

    /// <summary>Failed in a way a later attempt may not (5xx, timeout, connection error): the retry policy decides.</summary>
    Retry,

    /// <summary>Refused by the subscriber for good (4xx, a permanent SMTP error): not retried.</summary>
    Refused,
}

/// <summary>
/// The webhook retry policy in effect for a notification (zaqar-v2-api.md section 5.3) and the delay before each
/// retry. After a failed attempt the phases are: <see cref="RetriesWithNoDelay"/> immediate retries,
/// <see cref="MinimumDelayRetries"/> retries <see cref="MinimumDelay"/> apart, the backoff function's delays from
/// <see cref="MinimumDelay"/> to <see cref="MaximumDelay"/> in steps of <see cref="BackoffInterval"/>, then
/// <see cref="MaximumDelayRetries"/> retries <see cref="MaximumDelay"/> apart; then the notification is given up.
/// </summary>
/// <remarks>
/// Values follow Zaqar: a key that is present counts even when 0, an absent one takes the default. Delays are
/// computed per retry, never as a list, so a huge policy costs nothing until it is used.
/// </remarks>
public sealed record RetryPolicy(
    int RetriesWithNoDelay = RetryPolicy.DefaultRetriesWithNoDelay,
    int MinimumDelayRetries = RetryPolicy.DefaultMinimumDelayRetries,
    int MinimumDelay = RetryPolicyRules.DefaultMinimumDelay,
    int MaximumDelay = RetryPolicyRules.DefaultMaximumDelay,
    int MaximumDelayRetries = RetryPolicy.DefaultMaximumDelayRetries,
    string BackoffFunction = "linear")
{
    public const int DefaultRetriesWithNoDelay = 3;
    public const int DefaultMinimumDelayRetries = 3;
    public const int DefaultMaximumDelayRetries = 3;

    /// <summary>The step of the backoff functions (Zaqar's LINEAR_INTERVAL).</summary>
    public const int BackoffInterval = 5;

    /// <summary>
    /// What a webhook's answer means: Zaqar retries a status outside 200..499; of those, a 4xx is the subscriber
    /// refusing the notification (ended, recorded as failed) and anything below 400 delivers it (redirects are not followed).
    /// </summary>
    public static DeliveryOutcome OutcomeOf(int httpStatus) => httpStatus switch
    {
        >= 200 and < 400 => DeliveryOutcome.Delivered,
        >= 400 and < 500 => DeliveryOutcome.Refused,
        _ => DeliveryOutcome.Retry,
    };

    /// <summary>
    /// The policy for a subscription: its <c>options._retry_policy</c> unless the queue's <c>_retry_policy</c> (or
    /// the subscription's own) sets <c>ignore_subscription_override</c>, then the queue's; defaults for what neither sets.
    /// </summary>
    public static RetryPolicy Effective(JsonNode? subscriptionPolicy, JsonNode? queuePolicy)
    {
        var sub = subscriptionPolicy as JsonObject;
        var queue = queuePolicy as JsonObject;
        var chosen = IgnoresOverride(sub) || IgnoresOverride(queue)
            ? queue
            : !QueueMetadata.IsFalsy(sub) ? sub : queue;
        return From(chosen);
    }

    /// <summary>The policy an object describes (validated by <see cref="RetryPolicyRules"/>); null: every default.</summary>
    public static RetryPolicy From(JsonObject? policy)
    {
        if (policy is null)
        {
            return new RetryPolicy();
        }
        int Int(string key, int fallback) =>
            policy[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
                ? (int)Math.Clamp(Math.Truncate(d), 0, int.MaxValue)
                : fallback;
        var backoff = policy["retry_backoff_function"] is JsonValue f && f.TryGetValue<string>(out var name) &&
            RetryPolicyRules.BackoffFunctions.Contains(name) ? name : "linear";
        return new RetryPolicy(
            Int("retries_with_no_delay", DefaultRetriesWithNoDelay),
            Int("minimum_delay_retries", DefaultMinimumDelayRetries),
            Int("minimum_delay", RetryPolicyRules.DefaultMinimumDelay),
            Int("maximum_delay", RetryPolicyRules.DefaultMaximumDelay),
            Int("maximum_delay_retries", DefaultMaximumDelayRetries),
            backoff);
    }

    /// <summary>How many retries follow a failed first attempt.</summary>
    public long Retries => (long)RetriesWithNoDelay + MinimumDelayRetries + BackoffCount + MaximumDelayRetries;

    /// <summary>
    /// The delay before the retry that follows failed attempt number <paramref name="failedAttempts"/> (1 = the
    /// first attempt failed); null when the policy has no retry left.
    /// </summary>
    public TimeSpan? DelayAfter(int failedAttempts)
    {
        long i = failedAttempts - 1;
        if (i < 0)
        {
            return TimeSpan.Zero;
        }
        if (i < RetriesWithNoDelay)
        {
            return TimeSpan.Zero;
        }
        i -= RetriesWithNoDelay;
        if (i < MinimumDelayRetries)
        {
            return TimeSpan.FromSeconds(MinimumDelay);
        }
        i -= MinimumDelayRetries;
        if (i < BackoffCount)
        {
            return TimeSpan.FromSeconds(Backoff((int)i));
        }
        i -= BackoffCount;
        return i < MaximumDelayRetries ? TimeSpan.FromSeconds(MaximumDelay) : null;
    }

    /// <summary>How many delays the backoff phase has.</summary>
    private long BackoffCount => UsesLinear
        ? Math.Max(0, ((long)MaximumDelay - MinimumDelay + BackoffInterval - 1) / BackoffInterval)
        : ((long)MaximumDelay - MinimumDelay) / BackoffInterval;

    // The curved functions divide by (steps - 1): with fewer than two steps only the linear one is defined.
    private bool UsesLinear => BackoffFunction == "linear" || ((long)MaximumDelay - MinimumDelay) / BackoffInterval < 2;

    /// <summary>The <paramref name="index"/>-th (0-based) delay of the backoff phase, in whole seconds.</summary>
    private long Backoff(int index)
    {
        if (UsesLinear)
        {
            return MinimumDelay + ((long)BackoffInterval * index);
        }
        double min = MinimumDelay, max = MaximumDelay;
        var steps = (int)((max - min) / BackoffInterval);
        var a = index + 1;
        // Geometric and exponential grow by a constant ratio from the minimum to the maximum; a zero minimum
        // has no ratio, so they start from one second.
        var start = Math.Max(min, 1);
        var ratio = Math.Pow(10, Math.Log10(max / start) / (steps - 1));
        return BackoffFunction switch
        {
            "geometric" => (long)(start * Math.Pow(ratio, a - 1)),
            "exponential" => (long)(start / ratio * Math.Pow(ratio, a)),
            // Arithmetic: the gaps grow by a constant difference, from the minimum to the maximum.
            _ => (long)(min + ((a - 1) * a * (2.0 * (max - min) / (steps * (steps - 1))) / 2)),
        };
    }

    private static bool IgnoresOverride(JsonObject? policy) =>
        policy?["ignore_subscription_override"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
}
