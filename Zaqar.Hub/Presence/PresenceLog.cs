namespace Zaqar.Hub.Presence;

/// <summary>The log messages of presence (issue 13). Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class PresenceLog
{
    [LoggerMessage(1, LogLevel.Warning, "Writing presence failed; counts on other nodes miss this node's changes until the database answers again",
        EventName = "PresenceWriteFailed")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Presence written again after a failure", EventName = "PresenceRestored")]
    public static partial void Restored(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning,
        "The presence heartbeat failed; if it keeps failing past the node timeout, other nodes stop counting this node's connections",
        EventName = "PresenceHeartbeatFailed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Removing this node's presence while stopping failed; other nodes drop it after the node timeout",
        EventName = "PresenceLeaveFailed")]
    public static partial void LeaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "A presence watcher failed", EventName = "PresenceHandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
