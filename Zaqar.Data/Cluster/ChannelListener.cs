using Npgsql;

namespace Zaqar.Data.Cluster;

/// <summary>
/// A connection that LISTENs on one channel (<see cref="ClusterStore.ListenAsync"/>). Notifications arrive only
/// while <see cref="WaitAsync"/> runs; between waits they are buffered by the server and the socket.
/// </summary>
/// <remarks>Owned by one loop; not thread-safe. Dispose it when it fails: a broken connection does not recover.</remarks>
public sealed class ChannelListener : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    internal ChannelListener(NpgsqlConnection connection) => _connection = connection;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications and delivers them; false when none came. Throws when
    /// the connection fails (server shut down or restarted, network lost).
    /// </summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _connection.WaitAsync(timeout, ct);

    /// <summary>
    /// A round trip that fails on a dead connection. An idle listener otherwise notices a silently lost peer (network
    /// partition, killed host) only when TCP gives up, which can take many minutes.
    /// </summary>
    public async Task PingAsync(TimeSpan timeout, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT 1", _connection) { CommandTimeout = Math.Max(1, (int)timeout.TotalSeconds) };
        await cmd.ExecuteScalarAsync(ct);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
