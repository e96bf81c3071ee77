using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

/// <summary>How a delivery went. <paramref name="Reported"/>: the sender logged the cause already (once, not per delivery).</summary>
internal readonly record struct DeliveryResult(DeliveryOutcome Outcome, string? Error = null, bool Reported = false)
{
    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered);

    public static DeliveryResult Retry(string error) => new(DeliveryOutcome.Retry, error);

    public static DeliveryResult Refused(string error) => new(DeliveryOutcome.Refused, error);

    /// <summary>Refused for a cause the sender reported itself (issue 13: no mail path is logged once, not per delivery).</summary>
    public static DeliveryResult RefusedReported(string error) => new(DeliveryOutcome.Refused, error, Reported: true);
}
