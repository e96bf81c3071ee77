using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zaqar.SignalR.Client;

/// <summary>
/// A minimal SignalR hub client over one WebSocket, built on the server's own protocol code (JSON, or our MessagePack):
/// invocations with completions, fire-and-forget sends, server-to-client streams, handlers for server invocations,
/// ping answers, and the server's Close message as the close reason. Also sends raw bytes, for malformed-input tests.
/// </summary>
/// <remarks>
/// Create, register handlers, start (or <see cref="ConnectAsync"/>); dispose to close. Thread-safe: calls may come from
/// any thread, and sends are serialized (one writer at a time). One background loop reads the socket and runs handlers one
/// at a time, in order, so a slow handler delays everything after it (as in the official clients).
/// </remarks>
public sealed partial class HubWireClient : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly HubWireClientOptions _options;
    private readonly WebSocketMessageType _frameType;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, PendingCall> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Handler> _handlers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<HubCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Binder _binder;
    private WebSocket? _socket;
    private bool _statefulReconnect;
    private Task _receiving = Task.CompletedTask;
    private long _nextId;
    private int _started;
    private int _disposed;

    /// <summary>
    /// Creates a client for the hub at <paramref name="url"/> (http(s) or ws(s), with its query string, e.g. identity).
    /// Register handlers with <c>On</c>, then call <see cref="StartAsync"/>; or use <see cref="ConnectAsync"/>.
    /// </summary>
    /// <param name="url">The hub's address.</param>
    /// <param name="options">Protocol, version, headers and transport hooks; defaults when null.</param>
    public HubWireClient(Uri url, HubWireClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        _url = url;
        _options = options ?? new HubWireClientOptions();
        Protocol = _options.CreateProtocol();
        _frameType = Protocol.TransferFormat == TransferFormat.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        _logger = _options.Logger ?? NullLogger.Instance;
        _binder = new Binder(this);
    }

    /// <summary>The hub protocol this connection speaks (see <see cref="Encode"/>).</summary>
    public IHubProtocol Protocol { get; }

    /// <summary>True when negotiate granted stateful reconnect and the handshake asked for version 2: the client then sends Acks.</summary>
    public bool UsesStatefulReconnect => _statefulReconnect;

    /// <summary>Completes once the connection has ended, with why (the server's Close error, a close frame, or a failure).</summary>
    public Task<HubCloseReason> Closed => _closed.Task;

    /// <summary>Creates a client and starts it: <c>new HubWireClient(url, options)</c>, then <see cref="StartAsync"/>.</summary>
    /// <param name="url">The hub's address.</param>
    /// <param name="options">Protocol, version, headers and transport hooks; defaults when null.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="HubConnectException">Negotiate or the upgrade was refused, or the handshake failed.</exception>
    public static async Task<HubWireClient> ConnectAsync(
        Uri url, HubWireClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = new HubWireClient(url, options);
        try
        {
            await client.StartAsync(cancellationToken);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
        return client;
    }

    /// <summary>
    /// Connects: negotiate (when asked), the WebSocket upgrade and the handshake; then starts the receive loop. At most
    /// <see cref="HubWireClientOptions.ConnectTimeout"/>. A client starts once.
    /// </summary>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>Completes when the handshake succeeded.</returns>
    /// <exception cref="HubConnectException">Negotiate or the upgrade was refused, or the handshake failed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The client was started already.");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var (socketUrl, stateful) = await HubConnector.ResolveAsync(_url, _options, timeout.Token);
        _statefulReconnect = stateful && _options.Version >= 2;
        _socket = await HubConnector.OpenSocketAsync(socketUrl, _options, timeout.Token);
        try
        {
            await HandshakeAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not HubConnectException)
        {
            _socket.Abort();
            throw new HubConnectException($"The handshake with {_url} failed: {ex.Message}", null, ex);
        }
        _receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Invokes <paramref name="method"/> and returns its result; waits at most <see cref="HubWireClientOptions.InvocationTimeout"/>.
    /// </summary>
    /// <typeparam name="T">The result type to bind the completion's value to.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The result (default for a null result).</returns>
    /// <exception cref="HubInvocationException">The server answered with an error.</exception>
    /// <exception cref="HubConnectionClosedException">The connection ended first.</exception>
    /// <exception cref="TimeoutException">No completion came in time.</exception>
    public async Task<T> InvokeAsync<T>(string method, params object?[] args)
    {
        using var timeout = new CancellationTokenSource(_options.InvocationTimeout);
        try
        {
            return await InvokeCoreAsync<T>(method, args, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"'{method}' got no completion within {_options.InvocationTimeout}.");
        }
    }

    /// <summary>Invokes <paramref name="method"/>, ignoring its result (for methods returning void or Task).</summary>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Completes when the server's completion arrives.</returns>
    public Task InvokeAsync(string method, params object?[] args) => InvokeAsync<object?>(method, args);

    /// <summary>Invokes <paramref name="method"/> and returns its result, with no timeout of its own.</summary>
    /// <typeparam name="T">The result type to bind the completion's value to.</typeparam>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="cancellationToken">Stops waiting (the server still runs the call).</param>
    /// <returns>The result (default for a null result).</returns>
    public async Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken = default)
    {
        var id = NextId();
        var call = new PendingCall(method, typeof(T), isStream: false);
        _pending[id] = call;
        try
        {
            ThrowIfClosed();
            await SendMessageAsync(new InvocationMessage(id, method, args), cancellationToken);
            var result = await call.Result.Task.WaitAsync(cancellationToken);
            return result is null ? default! : (T)result;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Invokes <paramref name="method"/> without an invocation id: the server sends no completion.</summary>
    /// <param name="method">The hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>Completes when the message is sent.</returns>
    public Task SendAsync(string method, params object?[] args) =>
        SendMessageAsync(new InvocationMessage(method, args), CancellationToken.None);

    /// <summary>Streams <paramref name="method"/>'s items (a StreamInvocation).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="method">The streaming hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>
    /// The items. Disposing the enumerator before the stream ends sends CancelInvocation and waits (at most 5 s) for the
    /// server's completion of the stream.
    /// </returns>
    public IAsyncEnumerable<T> StreamAsync<T>(string method, params object?[] args) => StreamCoreAsync<T>(method, args);

    /// <summary>Streams <paramref name="method"/>'s items; cancelling or disposing early sends CancelInvocation.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="method">The streaming hub method.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="cancellationToken">Stops the stream (also through <c>WithCancellation</c>).</param>
    /// <returns>The items, until the server completes the stream.</returns>
    /// <exception cref="HubInvocationException">The server ended the stream with an error.</exception>
    public async IAsyncEnumerable<T> StreamCoreAsync<T>(
        string method, object?[] args, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = NextId();
        var call = new PendingCall(method, typeof(T), isStream: true);
        _pending[id] = call;
        try
        {
            ThrowIfClosed();
            await SendMessageAsync(new StreamInvocationMessage(id, method, args), cancellationToken);
            await foreach (var item in call.Items!.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item is null ? default! : (T)item;
            }
        }
        finally
        {
            if (!call.Items!.Reader.Completion.IsCompleted && !_closed.Task.IsCompleted)
            {
                // Ended early by the caller: tell the server, and wait (briefly) for it to end the stream, so that whatever
                // the stream held on the server (e.g. claims) is let go by the time disposal returns.
                await TrySendAsync(new CancelInvocationMessage(id));
                await DrainAsync(call.Items.Reader);
            }
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Closes the WebSocket (a normal close), waits briefly for the server's close, and fails calls still pending.</summary>
    /// <returns>Completes when the connection is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        ResumeReading();
        await CloseOutputAsync(WebSocketCloseStatus.NormalClosure);
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _receiving.WaitAsync(grace.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        await _stopping.CancelAsync(); // Ends a receive the server never answered.
        await _receiving;
        _socket?.Dispose();
        _closed.TrySetResult(new HubCloseReason(null, false, false, null, new ObjectDisposedException(nameof(HubWireClient))));
        _stopping.Dispose();
        _sendLock.Dispose();
    }

    internal async Task SendMessageAsync(HubMessage message, CancellationToken cancellationToken)
    {
        var bytes = Protocol.GetMessageBytes(message);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await Socket.SendAsync(bytes, _frameType, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task TrySendAsync(HubMessage message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SendMessageAsync(message, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException
            or InvalidOperationException or IOException)
        {
            LogIgnored(_logger, message.GetType().Name, ex.Message);
        }
    }

    private static async Task DrainAsync(ChannelReader<object?> items)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (await items.WaitToReadAsync(timeout.Token))
            {
                while (items.TryRead(out _))
                {
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HubInvocationException or HubConnectionClosedException)
        {
            // Timed out, or the stream ended with an error: either way it is over for this caller.
        }
    }

    private async Task CloseOutputAsync(WebSocketCloseStatus status)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                if (_socket?.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(status, null, timeout.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The socket is gone already: nothing to close.
        }
    }

    private WebSocket Socket => _socket ?? throw new InvalidOperationException("The client is not started: call StartAsync first.");

    private string NextId() => Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void ThrowIfClosed()
    {
        if (_closed.Task.IsCompleted)
        {
            throw new HubConnectionClosedException(_closed.Task.Result);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Not sent ({Message}): {Reason}", EventName = "SendIgnored")]
    private static partial void LogIgnored(ILogger logger, string message, string reason);
}
