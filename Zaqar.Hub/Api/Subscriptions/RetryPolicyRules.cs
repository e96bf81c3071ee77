using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Api;

/// <summary>Validation of a webhook retry policy (queue <c>_retry_policy</c> or subscription option; section 5.3).</summary>
public static class RetryPolicyRules
{
    public static readonly string[] BackoffFunctions = ["linear", "arithmetic", "geometric", "exponential"];

    private static readonly string[] IntKeys =
        ["retries_with_no_delay", "minimum_delay_retries", "minimum_delay", "maximum_delay", "maximum_delay_retries"];

    public const int DefaultMinimumDelay = 5;
    public const int DefaultMaximumDelay = 30;

    public static void Validate(JsonNode? policy, Func<string, ZaqarException> fail)
    {
        if (QueueMetadata.IsFalsy(policy))
        {
            return;
        }
        if (policy is not JsonObject obj)
        {
            throw fail("retry_policy must be a dict.");
        }
        foreach (var key in IntKeys)
        {
            var value = obj[key];
            if (!QueueMetadata.IsFalsy(value) &&
                !(value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonInput.IsIntegerText(v.ToJsonString(), out var n) && n >= 0))
            {
                throw fail($"Retry policy: {key} must be a integer.");
            }
        }
        var backoff = obj["retry_backoff_function"];
        if (!QueueMetadata.IsFalsy(backoff))
        {
            if (backoff!.GetValueKind() != JsonValueKind.String)
            {
                throw fail("retry_backoff_function must be a string.");
            }
            if (!BackoffFunctions.Contains(backoff.GetValue<string>()))
            {
                throw fail("retry_backoff_function must be one of: " + string.Join(", ", BackoffFunctions) + ".");
            }
        }
        var ignore = obj["ignore_subscription_override"];
        if (!QueueMetadata.IsFalsy(ignore) && ignore!.GetValueKind() != JsonValueKind.True)
        {
            throw fail("ignore_subscription_override must be a boolean.");
        }
        var min = IntOr(obj["minimum_delay"], DefaultMinimumDelay);
        var max = IntOr(obj["maximum_delay"], DefaultMaximumDelay);
        if (max < min)
        {
            throw fail("maximum_delay must not be less than minimum_delay.");
        }
        if (max - min < 10)
        {
            throw fail("The difference between maximum_delay and minimum_delay must be at least 10 seconds.");
        }
    }

    private static long IntOr(JsonNode? node, long fallback) =>
        node is JsonValue v && v.TryGetValue<long>(out var n) && n != 0 ? n : fallback;
}
