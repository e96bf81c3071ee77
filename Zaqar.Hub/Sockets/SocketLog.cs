namespace Zaqar.Hub.Sockets;

/// <summary>
/// The log messages of Zaqar's websocket transport (issue 13). A client's mistakes (refused frames, failed
/// authentication) are Debug, as REST logs none of its 4xx; only what an operator must act on is a warning or an error.
/// Event ids are stable; retired ids stay listed, never reused.
/// </summary>
internal static partial class SocketLog
{
    [LoggerMessage(1, LogLevel.Debug, "Websocket connection {ConnectionId} opened", EventName = "Connected")]
    public static partial void Connected(ILogger logger, string connectionId);

    [LoggerMessage(2, LogLevel.Debug, "Websocket connection {ConnectionId} ended ({State})", EventName = "Closed")]
    public static partial void Closed(ILogger logger, string connectionId, string state);

    [LoggerMessage(3, LogLevel.Debug, "Websocket connection {ConnectionId}: frame refused ({Reason})", EventName = "FrameRefused")]
    public static partial void FrameRefused(ILogger logger, string connectionId, string reason);

    [LoggerMessage(4, LogLevel.Error, "Unexpected error in websocket action {Action} on connection {ConnectionId}", EventName = "UnexpectedError")]
    public static partial void UnexpectedError(ILogger logger, string action, string connectionId, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Closing websocket connection {ConnectionId}: its push buffer overflowed", EventName = "PushOverflow")]
    public static partial void PushOverflow(ILogger logger, string connectionId);

    [LoggerMessage(6, LogLevel.Debug, "Websocket connection {ConnectionId}: authentication failed ({Reason})", EventName = "AuthenticationFailed")]
    public static partial void AuthenticationFailed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Checking websocket-connection subscriptions failed; checking again at the next interval",
        EventName = "SubscriptionCheckFailed")]
    public static partial void SubscriptionCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Deleting {Count} subscriptions of an ended websocket connection failed; they end with their ttl",
        EventName = "SubscriptionDeleteFailed")]
    public static partial void SubscriptionDeleteFailed(ILogger logger, int count, Exception exception);
}
