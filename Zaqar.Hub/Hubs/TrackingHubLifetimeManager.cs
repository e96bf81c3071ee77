using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// SignalR's in-memory lifetime manager, plus a lookup of live connections by id, so push can write to a
/// connection directly and close one with a reason (hub code only gets <see cref="HubCallerContext"/>, which
/// can abort a connection but not say why).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class TrackingHubLifetimeManager(ILogger<DefaultHubLifetimeManager<QueuesHub>> logger)
    : DefaultHubLifetimeManager<QueuesHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new();

    /// <summary>Raised after a connection is gone (subscriptions end with it).</summary>
    public event Action<string>? Disconnected;

    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>
    /// Closes a connection with a reason the client sees ("Server returned an error on close: ..."), no
    /// reconnect. A client too far behind to take even the close message is just aborted.
    /// </summary>
    public async Task CloseAsync(string connectionId, string reason)
    {
        if (Find(connectionId) is not { } connection)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.WriteAsync(new Microsoft.AspNetCore.SignalR.Protocol.CloseMessage(reason, allowReconnect: false), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Gone or stuck: aborting is all that is left.
        }
        connection.Abort();
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        await base.OnDisconnectedAsync(connection);
        Disconnected?.Invoke(connection.ConnectionId);
    }
}
