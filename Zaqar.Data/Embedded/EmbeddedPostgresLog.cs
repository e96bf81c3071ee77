using Microsoft.Extensions.Logging;

namespace Zaqar.Data.Embedded;

/// <summary>The log messages of the embedded PostgreSQL and its supervisor. Event ids are stable, never reused.</summary>
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

    [LoggerMessage(5, LogLevel.Warning, "Embedded PostgreSQL: stopped the server still running on {DataDirectory} (PID {Pid}, {Mode} shutdown)",
        EventName = "StoppedServerStillRunning")]
    public static partial void StoppedServerStillRunning(ILogger logger, string dataDirectory, int pid, string mode);

    [LoggerMessage(6, LogLevel.Warning, "Embedded PostgreSQL: removed a stale postmaster.pid naming PID {Pid}, which is no server of {DataDirectory}",
        EventName = "RemovedStaleLockFile")]
    public static partial void RemovedStaleLockFile(ILogger logger, int pid, string dataDirectory);

    [LoggerMessage(7, LogLevel.Error, "Embedded PostgreSQL: the server is down: {Reason}. Restarting it on 127.0.0.1:{Port}",
        EventName = "ServerDown")]
    public static partial void ServerDown(ILogger logger, string reason, int port);

    [LoggerMessage(8, LogLevel.Warning, "Embedded PostgreSQL: restart attempt {Attempt} (down because {Reason})", EventName = "RestartAttempt")]
    public static partial void RestartAttempt(ILogger logger, int attempt, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Embedded PostgreSQL: restart attempt {Attempt} failed: {Error}; next attempt in {DelayMs} ms",
        EventName = "RestartFailed")]
    public static partial void RestartFailed(ILogger logger, int attempt, string error, long delayMs);

    [LoggerMessage(10, LogLevel.Warning, "Embedded PostgreSQL: back after {Attempts} restart attempts; it was down {DownMs} ms",
        EventName = "Restarted")]
    public static partial void Restarted(ILogger logger, int attempts, long downMs);

    [LoggerMessage(11, LogLevel.Warning, "Embedded PostgreSQL: {Detail} (failed check {Failed} of {Allowed} before a restart)",
        EventName = "CheckFailed")]
    public static partial void CheckFailed(ILogger logger, string detail, int failed, int allowed);
}
