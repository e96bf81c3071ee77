using Microsoft.Extensions.Logging;

namespace Zaqar.Data.Embedded;

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(1, LogLevel.Information, "Embedded PostgreSQL: initialized a new cluster in {DataDirectory}", EventName = "Initialized")]
    public static partial void Initialized(ILogger logger, string dataDirectory);

    [LoggerMessage(2, LogLevel.Information, "Embedded PostgreSQL: started from {DataDirectory} on 127.0.0.1:{Port}", EventName = "Started")]
    public static partial void Started(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(3, LogLevel.Information, "Embedded PostgreSQL: stopped ({DataDirectory})", EventName = "Stopped")]
    public static partial void Stopped(ILogger logger, string dataDirectory);

    [LoggerMessage(4, LogLevel.Warning, "Embedded PostgreSQL: stopping failed", EventName = "StopFailed")]
    public static partial void StopFailed(ILogger logger, Exception exception);
}
