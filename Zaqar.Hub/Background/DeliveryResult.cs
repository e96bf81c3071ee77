using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

internal readonly record struct DeliveryResult(DeliveryOutcome Outcome, string? Error = null)
{
    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered);

    public static DeliveryResult Retry(string error) => new(DeliveryOutcome.Retry, error);

    public static DeliveryResult Refused(string error) => new(DeliveryOutcome.Refused, error);
}
