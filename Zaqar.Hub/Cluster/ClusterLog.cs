namespace Zaqar.Hub.Cluster;

/// <summary>The log messages of the cluster machinery (issue #4). Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1, LogLevel.Information, "Node {Node} listens for other nodes' posts on channel {Channel} of {Pool}", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string node, string channel, string pool);

    [LoggerMessage(2, LogLevel.Warning, "The listen connection to {Pool} is down; posts of other nodes reach this node by polling until it is back",
        EventName = "ListenerLost")]
    public static partial void ListenerLost(ILogger logger, string pool, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Reconnecting the listener to {Pool} failed (attempt {Attempt}); next try in {DelayMs} ms",
        EventName = "ReconnectFailed")]
    public static partial void ReconnectFailed(ILogger logger, string pool, int attempt, long delayMs, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Listener to {Pool} reconnected after {DownMs} ms and {Attempts} attempts; catching up by polling",
        EventName = "Reconnected")]
    public static partial void Reconnected(ILogger logger, string pool, long downMs, int attempts);

    [LoggerMessage(5, LogLevel.Warning, "Could not announce {Count} posts on {Pool} to other nodes; they find them by polling", EventName = "PublishFailed")]
    public static partial void PublishFailed(ILogger logger, int count, string pool, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "The announcement buffer is full: {Dropped} posts were not announced; other nodes find them by polling",
        EventName = "PublishDropped")]
    public static partial void PublishDropped(ILogger logger, long dropped);

    [LoggerMessage(7, LogLevel.Debug, "Relayed {Count} messages of queue {Queue} posted on another node; the oldest waited {LagMs} ms",
        EventName = "Relayed")]
    public static partial void Relayed(ILogger logger, int count, string queue, long lagMs);

    [LoggerMessage(8, LogLevel.Information,
        "Polling found {Count} messages of queue {Queue} that no notification announced; the oldest waited {LagMs} ms", EventName = "CaughtUp")]
    public static partial void CaughtUp(ILogger logger, int count, string queue, long lagMs);

    [LoggerMessage(9, LogLevel.Warning, "Reading other nodes' posts on {Pool} failed; polling again soon", EventName = "RelayFailed")]
    public static partial void RelayFailed(ILogger logger, string pool, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Could not read where queue {Queue} stands; relaying to its subscribers starts at the next poll",
        EventName = "WatchStartFailed")]
    public static partial void WatchStartFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(11, LogLevel.Debug, "Ignored a notification on channel {Channel} that is no announcement", EventName = "ForeignPayload")]
    public static partial void ForeignPayload(ILogger logger, string channel);

    [LoggerMessage(12, LogLevel.Information, "Stopped listening to {Pool}: it is no longer a pool", EventName = "ListenerRetired")]
    public static partial void ListenerRetired(ILogger logger, string pool);
}
