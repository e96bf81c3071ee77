using Microsoft.Extensions.Logging;

namespace Zaqar.Data.Embedded;

/// <summary>What a look at the embedded server found.</summary>
public enum ServerCondition
{
    /// <summary>The postmaster is alive and answered (perhaps with an error such as "too many clients": it is there).</summary>
    Answering,

    /// <summary>The postmaster is alive but did not answer in time.</summary>
    NotAnswering,

    /// <summary>No postmaster: it died or was stopped.</summary>
    Gone,
}

/// <summary>The outcome of <see cref="EmbeddedPostgres.CheckAsync"/>, with what was seen in words.</summary>
public readonly record struct ServerCheck(ServerCondition Condition, string Detail);

/// <summary>The embedded server as the supervisor last saw it.</summary>
public enum EmbeddedPostgresState
{
    Running,

    /// <summary>Down, waiting before the next restart attempt.</summary>
    Down,

    /// <summary>A restart attempt is under way.</summary>
    Restarting,
}

/// <param name="State">Running, down or restarting.</param>
/// <param name="Attempt">The restart attempt under way or last failed; 0 while running.</param>
/// <param name="Reason">Why the server is down (the last failed attempt's error once one failed); null while running.</param>
/// <param name="Restarts">Restarts that brought the server back since the service started.</param>
public sealed record EmbeddedPostgresStatus(EmbeddedPostgresState State, int Attempt, string? Reason, int Restarts);

/// <summary>
/// Watches the embedded PostgreSQL and brings it back when its postmaster dies or hangs (issue 10): before, the service
/// answered 503 until someone restarted it by hand.
/// </summary>
/// <remarks>
/// Every <see cref="EmbeddedPostgresOptions.CheckIntervalMilliseconds"/> it checks that the postmaster named by the lock
/// file is alive and answers a query. A dead one is restarted at once; a live one that fails
/// <see cref="EmbeddedPostgresOptions.FailedChecksBeforeRestart"/> checks in a row is stopped (immediate mode) and
/// restarted. Restart attempts repeat with a doubling delay between the configured bounds, each one logged with its number
/// and the reason, until one succeeds: same port, data directory and password, so the service's connection string stays
/// valid, and PostgreSQL's crash recovery replays every committed transaction. <see cref="Status"/> is what ping and health
/// report. Runs as one loop (<see cref="RunAsync"/>); <see cref="Status"/> may be read from any thread.
/// </remarks>
public sealed class EmbeddedPostgresSupervisor
{
    private readonly EmbeddedPostgres _server;
    private readonly EmbeddedPostgresOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile EmbeddedPostgresStatus _status = new(EmbeddedPostgresState.Running, 0, null, 0);

    public EmbeddedPostgresSupervisor(EmbeddedPostgres server, EmbeddedPostgresOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _server = server;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger<EmbeddedPostgresSupervisor>();
        // From now on the server logs through the host's logging, like the supervisor.
        server.LogTo(loggers.CreateLogger<EmbeddedPostgres>());
    }

    public EmbeddedPostgresStatus Status => _status;

    /// <summary>Raised after a restart brought the server back (connections pooled before it are dead).</summary>
    public event Action? Restarted;

    /// <summary>Watches the server until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(_options.CheckIntervalMilliseconds);
        var failedChecks = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, ct);
                var check = await CheckAsync(ct);
                if (check.Condition == ServerCondition.Answering)
                {
                    failedChecks = 0;
                    continue;
                }
                if (check.Condition == ServerCondition.NotAnswering && ++failedChecks < _options.FailedChecksBeforeRestart)
                {
                    EmbeddedPostgresLog.CheckFailed(_logger, check.Detail, failedChecks, _options.FailedChecksBeforeRestart);
                    continue;
                }
                failedChecks = 0;
                await RestartAsync(check.Detail, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping; it stops the server next.
        }
    }

    /// <summary>A check that never throws but for cancellation: the loop must outlive anything a check meets.</summary>
    private async Task<ServerCheck> CheckAsync(CancellationToken ct)
    {
        try
        {
            return await _server.CheckAsync(TimeSpan.FromSeconds(_options.CheckTimeoutSeconds), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ServerCheck(ServerCondition.NotAnswering, $"checking it failed: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    private async Task RestartAsync(string reason, CancellationToken ct)
    {
        var downSince = _time.GetTimestamp();
        var restarts = _status.Restarts;
        EmbeddedPostgresLog.ServerDown(_logger, reason, _server.Port);
        var delay = TimeSpan.FromMilliseconds(_options.RestartMinDelayMilliseconds);
        var lastError = reason;
        for (var attempt = 1; ; attempt++)
        {
            _status = new EmbeddedPostgresStatus(EmbeddedPostgresState.Restarting, attempt, lastError, restarts);
            EmbeddedPostgresLog.RestartAttempt(_logger, attempt, reason);
            try
            {
                // After a failed attempt the server may be back by other hands: one that answers is left alone.
                if (attempt == 1 || (await CheckAsync(ct)).Condition != ServerCondition.Answering)
                {
                    await _server.RecoverAsync(ct);
                }
                _status = new EmbeddedPostgresStatus(EmbeddedPostgresState.Running, 0, null, restarts + 1);
                EmbeddedPostgresLog.Restarted(_logger, attempt, (long)_time.GetElapsedTime(downSince).TotalMilliseconds);
                Restarted?.Invoke();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lastError = ex.Message.ReplaceLineEndings(" ");
                _status = new EmbeddedPostgresStatus(EmbeddedPostgresState.Down, attempt, lastError, restarts);
                EmbeddedPostgresLog.RestartFailed(_logger, attempt, lastError, (long)delay.TotalMilliseconds);
            }
            await Task.Delay(delay, _time, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, _options.RestartMaxDelayMilliseconds));
        }
    }
}
