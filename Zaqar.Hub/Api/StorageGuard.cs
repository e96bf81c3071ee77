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
/// <remarks>Singleton; thread-safe.</remarks>
public sealed partial class StorageGuard(ILogger<StorageGuard> logger)
{
    public async Task<T> Run<T>(Func<Task<T>> operation, string failure)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            StorageFailed(logger, failure, ex);
            throw ApiErrors.Unavailable(failure);
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
            StorageFailed(logger, failure, ex);
            throw ApiErrors.Unavailable(failure);
        }
    }

    /// <summary>
    /// A database failed or can't be reached. With pools (issue #6) that includes a queue whose pool is not registered (any
    /// more), and an operation still running on a pool whose connections were closed because it was removed.
    /// </summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or NpgsqlException or PoolUnavailableException or ObjectDisposedException ||
        (ex is InvalidOperationException && ex.InnerException is not null && IsStorageFailure(ex.InnerException)) ||
        (ex is InvalidOperationException && ex.Source == "Npgsql");

    [LoggerMessage(1, LogLevel.Error, "Storage failure: {Failure}", EventName = "StorageFailed")]
    private static partial void StorageFailed(ILogger logger, string failure, Exception exception);
}
