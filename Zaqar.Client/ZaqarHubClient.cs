using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Serialization;

namespace Zaqar.Client;

/// <summary>
/// A typed client of ZaqarHub's hub (issue 11): queues, messages, claims, stats, subscriptions and topics as typed records;
/// push subscriptions with a handler (<see cref="SubscribeAsync(string, Func{PushedMessage, Task}, CancellationToken)"/>)
/// and a consume stream (<see cref="ConsumeAsync"/>); every error a <see cref="ZaqarException"/>. Built on SignalR's
/// official <see cref="HubConnection"/>, with JSON or MessagePack; reconnects by itself and makes its push subscriptions
/// again once the connection is back.
/// </summary>
/// <remarks>
/// Thread-safe: calls may be made concurrently (the hub runs one connection's calls in order). Push handlers run one at a
/// time, in arrival order.
/// </remarks>
public sealed partial class ZaqarHubClient : IAsyncDisposable
{
    /// <summary>The hub's path below the service's address.</summary>
    public const string HubPath = "/hubs/queues";

    private readonly HubConnection _connection;
    private readonly PushRouter _push;
    private readonly PresenceRouter _presence;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a client; <see cref="StartAsync"/> connects it.</summary>
    public ZaqarHubClient(ZaqarHubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var builder = new HubConnectionBuilder()
            .WithUrl(HubUrl(options), options.Transports, http =>
            {
                http.AccessTokenProvider = options.AccessTokenProvider;
                options.ConfigureHttp?.Invoke(http);
            })
            .WithAutomaticReconnect([.. options.ReconnectDelays]);
        if (options.Protocol == ZaqarProtocol.MessagePack)
        {
            builder.AddZaqarMessagePackProtocol();
        }
        _connection = builder.Build();
        _push = new PushRouter(_connection);
        _presence = new PresenceRouter(_connection);
        _connection.Reconnecting += error => Signal(Reconnecting, error);
        _connection.Reconnected += async _ =>
        {
            // Subscriptions end with a connection: make them again before telling anyone the connection is back.
            await _push.ResubscribeAsync();
            await _presence.RewatchAsync();
            await Signal(Reconnected, null);
        };
        _connection.Closed += error => Signal(Closed, error);
    }

    /// <summary>Raised when the connection is lost and reconnecting starts.</summary>
    public event Func<Exception?, Task>? Reconnecting;

    /// <summary>Raised when the connection is back, after its push subscriptions were made again.</summary>
    public event Func<Exception?, Task>? Reconnected;

    /// <summary>Raised when the connection is closed for good (stopped, or reconnecting gave up).</summary>
    public event Func<Exception?, Task>? Closed;

    /// <summary>The options the client was made with.</summary>
    public ZaqarHubClientOptions Options { get; }

    /// <summary>The official client's connection (its state, connection id, and anything this class does not cover).</summary>
    public HubConnection Connection => _connection;

    /// <summary>Creates a client and connects it.</summary>
    public static async Task<ZaqarHubClient> ConnectAsync(ZaqarHubClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZaqarHubClient(options);
        try
        {
            await client.StartAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects; a refused connection throws <see cref="ZaqarException"/> with its HTTP status.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Net.WebSockets.WebSocketException or AggregateException or HubException)
        {
            throw ZaqarException.FromConnect(ex is AggregateException { InnerExceptions: [var first, ..] } ? first : ex);
        }
    }

    /// <summary>Closes the connection (no reconnect).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _connection.StopAsync(cancellationToken);

    /// <summary>True when storage answers.</summary>
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => CallAsync<bool>("Ping", [], cancellationToken);

    /// <summary>Closes the connection and releases it.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static Uri HubUrl(ZaqarHubClientOptions options)
    {
        var url = new UriBuilder(options.Url);
        url.Path = url.Path.TrimEnd('/') + HubPath;
        var query = $"client_id={options.ClientId:D}";
        if (options.ProjectId is { } project)
        {
            query += "&project_id=" + Uri.EscapeDataString(project);
        }
        url.Query = query;
        return url.Uri;
    }

    private async Task<T> CallAsync<T>(string method, object?[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.InvokeCoreAsync<T>(method, args, cancellationToken);
        }
        catch (HubException ex)
        {
            throw ZaqarException.From(ex);
        }
        catch (InvalidOperationException ex) when (_connection.State != HubConnectionState.Connected)
        {
            throw new ZaqarException(0, "Not connected", ex.Message, ex);
        }
    }

    private async Task CallAsync(string method, object?[] args, CancellationToken cancellationToken) =>
        await CallAsync<object?>(method, args, cancellationToken);

    /// <summary>Completes when the connection is connected again; throws when it closed for good.</summary>
    private async Task WhenConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = _stateChanged.Task;
            switch (_connection.State)
            {
                case HubConnectionState.Connected:
                    return;
                case HubConnectionState.Disconnected:
                    throw new ZaqarException(0, "Connection closed", "The connection closed and did not come back.");
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private async Task Signal(Func<Exception?, Task>? handlers, Exception? error)
    {
        Interlocked.Exchange(ref _stateChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        foreach (var handler in handlers?.GetInvocationList().Cast<Func<Exception?, Task>>() ?? [])
        {
            await handler(error);
        }
    }
}
