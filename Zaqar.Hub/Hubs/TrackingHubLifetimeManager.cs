using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// SignalR's in-memory lifetime manager, plus a lookup of live connections by id, so push can write to a
/// connection directly and close one with a reason (hub code only gets <see cref="HubCallerContext"/>, which
/// can abort a connection but not say why).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class TrackingHubLifetimeManager(
    ILogger<DefaultHubLifetimeManager<QueuesHub>> logger, IOptions<PushOptions> options, TimeProvider time)
    : DefaultHubLifetimeManager<QueuesHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new();

    /// <summary>Raised after a connection is gone (subscriptions end with it).</summary>
    public event Action<string>? Disconnected;

    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>The connections open now.</summary>
    public int Count => _connections.Count;

    /// <summary>
    /// Closes a connection with a reason the client sees ("Server returned an error on close: ..."), no reconnect.
    /// </summary>
    /// <remarks>
    /// Issue 10: the Close message goes behind what the connection has in flight, so a client that reads slowly (a stalled
    /// subscriber: the callers stop writing to it first) still gets the reason once it reads again: the connection is kept
    /// until the client has read up to the Close message and left, for <see cref="PushOptions.CloseTimeoutSeconds"/> at
    /// most. Only a client that reads nothing in that time is cut without the reason.
    /// </remarks>
    public async Task CloseAsync(string connectionId, string reason)
    {
        if (Find(connectionId) is not { } connection)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.CloseTimeoutSeconds), time);
        using var closedOrTimedOut = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionAborted);
        try
        {
            await connection.WriteAsync(new CloseMessage(reason, allowReconnect: false), timeout.Token);
            // The client leaves when it reads the Close message.
            await Task.Delay(Timeout.InfiniteTimeSpan, time, closedOrTimedOut.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Gone, or the time is up: aborting is all that is left.
        }
        connection.Abort();
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        CountConnection(connection, 1);
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_connections.TryRemove(connection.ConnectionId, out _))
        {
            CountConnection(connection, -1);
        }
        await base.OnDisconnectedAsync(connection);
        Disconnected?.Invoke(connection.ConnectionId);
    }

    /// <summary>Issue 15: open connections by transport (the convention's names) and protocol.</summary>
    private static void CountConnection(HubConnectionContext connection, int delta) =>
        ZaqarTelemetry.HubConnections.Add(
            delta,
            KeyValuePair.Create(ZaqarTelemetry.TransportAttribute, (object?)(connection.Features.Get<IHttpTransportFeature>()?.TransportType switch
            {
                HttpTransportType.WebSockets => "web_sockets",
                HttpTransportType.ServerSentEvents => "server_sent_events",
                HttpTransportType.LongPolling => "long_polling",
                _ => "unknown",
            })),
            KeyValuePair.Create(ZaqarTelemetry.ProtocolAttribute, (object?)connection.Protocol.Name));
}
