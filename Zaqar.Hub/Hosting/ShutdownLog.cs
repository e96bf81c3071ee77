namespace Zaqar.Hub.Hosting;

/// <summary>The log messages of a stopping node (issue 15). Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class ShutdownLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Stopping (draining for at most {DrainSeconds} s): new connections refused, {HubConnections} hub connections closed for their clients to reconnect to another node",
        EventName = "ShutdownStarted")]
    public static partial void Started(ILogger logger, double drainSeconds, int hubConnections);

    [LoggerMessage(2, LogLevel.Information,
        "Stopping: {Streams} consume streams ended, {Claims} of their claims released for other consumers",
        EventName = "ShutdownConsumeStreamsEnded")]
    public static partial void ConsumeStreamsEnded(ILogger logger, int streams, int claims);

    [LoggerMessage(3, LogLevel.Warning,
        "Stopping: consume streams did not end within the drain; the claims they hold expire by themselves",
        EventName = "ShutdownConsumeStreamsLeft")]
    public static partial void ConsumeStreamsLeft(ILogger logger);

    [LoggerMessage(4, LogLevel.Information,
        "Stopping: {Calls} hub invocations were under way; {Left} still were when the wait for their answers ended",
        EventName = "ShutdownHubCallsAnswered")]
    public static partial void HubCallsAnswered(ILogger logger, int calls, int left);
}
