namespace Zaqar.Hub.Background;

/// <summary>The log messages of the notification dispatcher (issue #4). Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class NotificationDispatcherLog
{
    [LoggerMessage(1, LogLevel.Debug,
        "Notification {NotificationId} of subscription {SubscriptionId} failed (attempt {Attempts}); retrying in {Delay}: {Error}",
        EventName = "NotificationRetrying")]
    public static partial void Retrying(ILogger logger, long notificationId, Guid subscriptionId, int attempts, TimeSpan delay, string error);

    [LoggerMessage(2, LogLevel.Warning,
        "Gave up notification {NotificationId} of subscription {SubscriptionId} ({Source}) after {Attempts} attempts: {Error}",
        EventName = "NotificationGaveUp")]
    public static partial void GaveUp(ILogger logger, Guid subscriptionId, string source, long notificationId, int attempts, string error);

    [LoggerMessage(3, LogLevel.Warning, "Subscription {SubscriptionId} ({Source}) refused notification {NotificationId}: {Error}",
        EventName = "NotificationRefused")]
    public static partial void Refused(ILogger logger, Guid subscriptionId, string source, long notificationId, string error);

    [LoggerMessage(4, LogLevel.Warning, "Claiming due notifications of {Pool} failed; looking there again in a few seconds",
        EventName = "NotificationClaimFailed")]
    public static partial void ClaimFailed(ILogger logger, string pool, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Settling notification {NotificationId} failed; it is sent again when its lease lapses",
        EventName = "NotificationSettleFailed")]
    public static partial void SettleFailed(ILogger logger, long notificationId, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Deleted {Count} expired subscriptions", EventName = "SubscriptionsSwept")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(7, LogLevel.Warning, "Deleting expired subscriptions of {Pool} failed; trying again at the next interval",
        EventName = "SubscriptionSweepFailed")]
    public static partial void SweepFailed(ILogger logger, string pool, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Unexpected error delivering notification {NotificationId}; it is retried",
        EventName = "NotificationDeliveryError")]
    public static partial void UnexpectedDeliveryError(ILogger logger, long notificationId, Exception exception);

    [LoggerMessage(9, LogLevel.Warning,
        "mailto deliveries fail: no mail path is configured (Notifications:Smtp:Host unset, and the sendmail program '{Command}' is not installed). Logged once.",
        EventName = "NoMailPath")]
    public static partial void NoMailPath(ILogger logger, string command);

    [LoggerMessage(10, LogLevel.Information,
        "Stopping: {InFlight} notification deliveries were in flight; {Settled} finished within the drain, {Released} released for other nodes to send at once, {Left} left to their lease",
        EventName = "NotificationsDrained")]
    public static partial void Drained(ILogger logger, int inFlight, int settled, int released, int left);
}
