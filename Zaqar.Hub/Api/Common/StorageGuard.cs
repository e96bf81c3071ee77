using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Api;

/// <summary>
/// Turns storage failures into Zaqar's 503 ("... could not be ...; please try again"), logging the cause.
/// A client never sees a database error's text, and a database outage never looks like a client mistake.
/// </summary>
/// <remarks>
/// Issue 10: during an outage every request fails, and a stack trace per failure flooded the log (665 failed posts wrote
/// 3.4 MB). So the log gets one line per failure, and the stack trace of the first failure of an outage only. An outage
/// starts with a failure and ends with the next operation that succeeds (the database answers again); with pools that is
/// any database's answer, so a pool that stays down while others answer has its trace logged again after each success.
/// Singleton; thread-safe.
/// </remarks>
public sealed partial class StorageGuard(ILogger<StorageGuard> logger)
{
    private int _inOutage;
    private long _failures;

    public async Task<T> Run<T>(Func<Task<T>> operation, string failure)
    {
        T result;
        try
        {
            result = await operation();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failed(failure, ex);
        }
        Answered();
        return result;
    }

    /// <summary>
    /// <see cref="Run{T}"/> for a lookup a cache may answer without asking the database: its success is no sign that the
    /// database answers again, so it does not end an outage.
    /// </summary>
    public async Task<T> RunCached<T>(Func<Task<T>> lookup, string failure)
    {
        try
        {
            return await lookup();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failed(failure, ex);
        }
    }

    public async Task Run(Func<Task> operation, string failure)
    {
        try
        {
            await operation();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failed(failure, ex);
        }
        Answered();
    }

    /// <summary>
    /// A database failed or can't be reached. With pools (issue #6) that includes a queue whose pool is not registered (any
    /// more), and an operation still running on a pool whose connections were closed because it was removed.
    /// </summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or NpgsqlException or PoolUnavailableException or ObjectDisposedException ||
        (ex is InvalidOperationException && ex.InnerException is not null && IsStorageFailure(ex.InnerException)) ||
        (ex is InvalidOperationException && ex.Source == "Npgsql");

    private ZaqarException Failed(string failure, Exception ex)
    {
        var count = Interlocked.Increment(ref _failures);
        if (Interlocked.Exchange(ref _inOutage, 1) == 0)
        {
            OutageStarted(logger, failure, ex);
        }
        else
        {
            StorageFailed(logger, failure, count, Cause(ex));
        }
        return ApiErrors.Unavailable(failure);
    }

    private void Answered()
    {
        // A plain read first: the common case (no outage) writes nothing shared.
        if (Volatile.Read(ref _inOutage) == 1 && Interlocked.Exchange(ref _inOutage, 0) == 1)
        {
            OutageEnded(logger, Interlocked.Exchange(ref _failures, 0));
        }
    }

    /// <summary>The cause on one line: each exception's type and message, outermost first, without stack traces.</summary>
    private static string Cause(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
        return string.Join(" ---> ", parts);
    }

    // Event 1 (StorageFailed with a stack trace per failure) retired in issue 10.

    [LoggerMessage(2, LogLevel.Error, "Storage failure: {Failure} An outage starts: until the database answers again, failures are logged in one line",
        EventName = "StorageOutageStarted")]
    private static partial void OutageStarted(ILogger logger, string failure, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "Storage failure: {Failure} (failure {Count} of this outage) {Cause}", EventName = "StorageFailedAgain")]
    private static partial void StorageFailed(ILogger logger, string failure, long count, string cause);

    [LoggerMessage(4, LogLevel.Information, "Storage answers again; the outage ends after {Count} failed operations", EventName = "StorageOutageEnded")]
    private static partial void OutageEnded(ILogger logger, long count);
}
