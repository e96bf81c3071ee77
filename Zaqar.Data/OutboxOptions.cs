namespace Zaqar.Data;

/// <summary>
/// What the post statement needs to know to fill the notification outbox. Set by the host from its notification
/// settings; the data layer reads no configuration itself.
/// </summary>
public sealed class OutboxOptions
{
    /// <summary>Only confirmed subscriptions get message notifications (Zaqar's <c>require_confirmation</c>).</summary>
    public bool RequireConfirmation { get; set; }
}
