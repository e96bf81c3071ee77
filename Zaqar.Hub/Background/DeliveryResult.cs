namespace Zaqar.Hub.Background;

/// <summary>How one delivery attempt ended.</summary>
internal enum DeliveryOutcome
{
    Delivered,

    /// <summary>Failed in a way a later attempt may not (5xx, timeout, connection error): the retry policy decides.</summary>
    Retry,

    /// <summary>Refused by the subscriber for good (4xx, permanent SMTP error): not retried.</summary>
    Refused,
}

internal readonly record struct DeliveryResult(DeliveryOutcome Outcome, string? Error = null)
{
    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered);

    public static DeliveryResult Retry(string error) => new(DeliveryOutcome.Retry, error);

    public static DeliveryResult Refused(string error) => new(DeliveryOutcome.Refused, error);
}
