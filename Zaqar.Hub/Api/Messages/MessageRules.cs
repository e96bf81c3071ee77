namespace Zaqar.Hub.Api;

/// <summary>Fixed minimums of the API (Zaqar hard-codes them; the maximums are in <see cref="ZaqarOptions"/>).</summary>
public static class MessageRules
{
    public const int MinTtl = 60;
    public const int MinClaimTtl = 60;
    public const int MinClaimGrace = 60;
    public const int MinSubscriptionTtl = 60;
}
