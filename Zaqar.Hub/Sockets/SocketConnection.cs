using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Sockets;

/// <summary>What every connection of the transport uses (one bundle, so a connection takes one parameter).</summary>
public sealed record SocketServices(
    SocketActions Actions,
    SocketSubscriptions Subscriptions,
    Authenticator Authenticator,
    IdentityRules Identity,
    ProjectRateLimiter RateLimiter,
    IOptions<AuthOptions> Auth,
    IOptions<SocketOptions> Options,
    TimeProvider Time,
    IHostApplicationLifetime Lifetime,
    ILogger<SocketConnection> Logger);

/// <summary>
/// One connection of Zaqar's websocket transport (zaqar-v2-api.md 10, issue 13): reads frames one at a time, answers each
/// in order (clients match answers by order) in the frame type it came in, and carries pushes to the connection's
/// subscriptions. Every input is untrusted: a frame too large, too deep, not JSON or MessagePack, not an object, of an
/// unknown action or failing the schema gets its 400 and the connection reads on; an unexpected failure is a 500 answer.
/// </summary>
/// <remarks>Identity (each frame's headers, or the token of <c>authenticate</c>) is in SocketConnection.Identity.cs.</remarks>
public sealed partial class SocketConnection
{
    private readonly WebSocket _socket;
    private readonly SocketServices _services;
    private readonly SocketOptions _options;
    private readonly CancellationTokenSource _abort;
    private readonly SocketOutbox _outbox;
    private volatile bool _closed;

    public SocketConnection(WebSocket socket, SocketServices services, CancellationToken aborted)
    {
        (_socket, _services, _options) = (socket, services, services.Options.Value);
        _abort = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _outbox = new SocketOutbox(socket, _options, _abort);
    }

    /// <summary>Names the connection as a subscriber (stored as <c>hub:ws-…</c>, like the hub's connections).</summary>
    public string Id { get; } = "ws-" + Guid.NewGuid().ToString("N");

    /// <summary>The connection ended: no more subscriptions may be made for it.</summary>
    public bool Closed => _closed;

    /// <summary>Pushes go out as MessagePack: the last connection subscription was made over a binary frame (Zaqar's rule).</summary>
    public bool PushBinary { get; set; }

    /// <summary>Queues a push; a connection that fell too far behind is closed instead.</summary>
    public void Push(SocketPush push)
    {
        if (!_closed && _outbox.Push(PushBinary ? push.MessagePack : push.Json, PushBinary) == PushOutcome.Overflowed)
        {
            SocketLog.PushOverflow(_services.Logger, Id);
        }
    }

    /// <summary>Serves the connection until the client closes it, it is closed, or it breaks.</summary>
    public async Task RunAsync()
    {
        SocketLog.Connected(_services.Logger, Id);
        // A stopping server says so to its clients (1001, as RFC 6455 has it) instead of keeping its shutdown waiting.
        using var stopping = _services.Lifetime.ApplicationStopping.Register(
            () => _outbox.Close(WebSocketCloseStatus.EndpointUnavailable, "The server is shutting down."));
        try
        {
            await ReadFramesAsync();
            await _outbox.DrainAsync();
            if (_socket.State == WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // Aborted, reset by the client, or closed for a reason already sent.
        }
        finally
        {
            _closed = true;
            _expiry?.Dispose();
            _services.Subscriptions.Closed(this);
            _abort.Cancel();
            await _outbox.DrainAsync();
            _abort.Dispose();
            SocketLog.Closed(_services.Logger, Id, _socket.CloseStatus?.ToString() ?? _socket.State.ToString());
        }
    }

    private async Task ReadFramesAsync()
    {
        while (!_abort.IsCancellationRequested)
        {
            // A zero-byte read waits for the next frame without holding a buffer (as SignalR's WebSocket transport does), so
            // idle connections cost no receive memory. An empty frame ends right there (and is answered like any other).
            var result = await _socket.ReceiveAsync(Memory<byte>.Empty, _abort.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            var message = new ArrayBufferWriter<byte>(4096);
            var tooLarge = false;
            while (!result.EndOfMessage)
            {
                // Past the limit the rest of the frame is read into the same small buffer and dropped: memory stays bounded.
                var target = tooLarge ? message.GetMemory(4096)[..4096] : message.GetMemory(4096);
                result = await _socket.ReceiveAsync(target, _abort.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (!tooLarge)
                {
                    message.Advance(result.Count);
                    tooLarge = message.WrittenCount > _options.MaxFrameBytes;
                }
            }
            var binary = result.MessageType == WebSocketMessageType.Binary;
            _outbox.HoldPushes();
            await _outbox.SendAsync(SocketAnswers.Encode(await AnswerAsync(message.WrittenMemory, binary, tooLarge), binary), binary);
        }
    }

    /// <summary>The answer (JSON text) to one frame.</summary>
    private async Task<byte[]> AnswerAsync(ReadOnlyMemory<byte> payload, bool binary, bool tooLarge)
    {
        var kind = binary ? "binary (MessagePack)" : "text (JSON)";
        if (tooLarge)
        {
            SocketLog.FrameRefused(_services.Logger, Id, "too large");
            return SocketAnswers.Json(null, 400, SocketAnswers.Error(
                $"Can't decode {kind} request. FrameTooLarge: the frame exceeds {_options.MaxFrameBytes} bytes (WebSocket:MaxFrameBytes)."));
        }
        SocketFrame frame;
        try
        {
            frame = SocketFrame.Decode(payload, binary, _options.MaxDepth);
        }
        catch (FrameDecodeException ex)
        {
            SocketLog.FrameRefused(_services.Logger, Id, ex.Message);
            return SocketAnswers.Json(null, 400, SocketAnswers.Error($"Can't decode {kind} request. {ex.Message}"));
        }
        using (frame)
        {
            var (status, body) = await AnswerAsync(frame);
            return SocketAnswers.Json(frame, status, body);
        }
    }

    private async Task<SocketReply> AnswerAsync(SocketFrame frame)
    {
        if (frame.Root.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return new(400, SocketAnswers.Error("Unexpected body type. Expected dict or dict like."));
        }
        var action = frame.Action;
        if (action is null || !SocketSchema.Actions.TryGetValue(action, out var schema))
        {
            return new(400, SocketAnswers.Error($"{ActionText(frame)} is not a valid action"));
        }
        if (!SocketSchema.Matches(schema, frame))
        {
            return new(400, SocketAnswers.Error(SocketSchema.Failed));
        }
        try
        {
            // Issue 10's rule for every value the service takes in, as REST applies it to a whole body: no unpaired
            // surrogate or NUL in any string, no duplicate key, numbers JSON can carry, bounded nesting (the frame's root
            // and "body" are one level more than a REST document).
            AcceptableJson.Check(frame.Root, JsonInput.MaxDocumentDepth + 1);
            if (action == "authenticate")
            {
                return await AuthenticateAsync(frame);
            }
            var (caller, refusal) = await IdentifyAsync(frame, action, schema);
            if (refusal is { } refused)
            {
                return refused;
            }
            if (caller is not null)
            {
                _services.RateLimiter.Acquire(caller);
            }
            return await _services.Actions.RunAsync(action, new SocketCall(frame, caller, this, _abort.Token));
        }
        catch (ZaqarException ex)
        {
            return new(ex.Status, SocketAnswers.ActionError(ex.Description ?? ex.Title, ex.Title));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_abort.IsCancellationRequested)
        {
            SocketLog.UnexpectedError(_services.Logger, action, Id, ex);
            return new(500, SocketAnswers.ActionError("An unexpected error occurred.", "Unexpected error."));
        }
    }

    // Zaqar formats the action with Python's str(): a missing or null one reads "None".
    private static string ActionText(SocketFrame frame) => frame.Member("action") switch
    {
        { ValueKind: System.Text.Json.JsonValueKind.String } a => a.GetString()!,
        { ValueKind: System.Text.Json.JsonValueKind.Undefined or System.Text.Json.JsonValueKind.Null } => "None",
        var other => other.GetRawText(),
    };
}
