using Npgsql;

namespace Zaqar.Data.Cluster;

/// <summary>
/// A connection that LISTENs on one channel (<see cref="ClusterStore.ListenAsync"/>). Notifications arrive only
/// while <see cref="WaitAsync"/> runs; between waits they are buffered by the server and the socket.
/// </summary>
/// <remarks>
/// Owned by one loop; not thread-safe. Dispose it when it fails: a broken connection does not recover. The synchronous
/// <see cref="Wait"/> and <see cref="Ping"/> are for a loop on a thread of its own, whose notifications must not wait for
/// a busy thread pool (issue 14 item 4).
/// </remarks>
public sealed class ChannelListener : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlConnection _connection;

    internal ChannelListener(NpgsqlConnection connection) => _connection = connection;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications and delivers them; false when none came. Throws when
    /// the connection fails (server shut down or restarted, network lost).
    /// </summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _connection.WaitAsync(timeout, ct);

    /// <summary><see cref="WaitAsync"/> blocking the calling thread: notifications are delivered on it.</summary>
    public bool Wait(TimeSpan timeout) => _connection.Wait(timeout);

    /// <summary>
    /// A round trip that fails on a dead connection. An idle listener otherwise notices a silently lost peer (network
    /// partition, killed host) only when TCP gives up, which can take many minutes.
    /// </summary>
    public async Task PingAsync(TimeSpan timeout, CancellationToken ct)
    {
        await using var cmd = PingCommand(timeout);
        await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary><see cref="PingAsync"/> blocking the calling thread.</summary>
    public void Ping(TimeSpan timeout)
    {
        using var cmd = PingCommand(timeout);
        cmd.ExecuteScalar();
    }

    private NpgsqlCommand PingCommand(TimeSpan timeout) =>
        new("SELECT 1", _connection) { CommandTimeout = Math.Max(1, (int)timeout.TotalSeconds) };

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    public void Dispose() => _connection.Dispose();
}
