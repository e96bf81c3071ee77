using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Serialization;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>Why a raw connection ended: the server's Close message (if any) and the WebSocket's close status.</summary>
public sealed record HubCloseReason(string? Error, bool CloseMessageReceived, bool AllowReconnect, WebSocketCloseStatus? CloseStatus);

/// <summary>
/// A WebSocket to the hub that does only what a real client can't: send bytes as given (malformed frames, several
/// messages in one WebSocket message, one message in fragments, Ack and Sequence), stop reading, and tell a Close
/// message's details. Handshake, encoding and decoding are the official protocols' own (issue 11).
/// </summary>
/// <remarks>One receive loop; send from the test's thread. Results and pushes are bound as <see cref="JsonNode"/>.</remarks>
public sealed class RawHubSocket : IAsyncDisposable, IInvocationBinder
{
    private readonly WebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CompletionMessage>> _calls = new();
    private readonly TaskCompletionSource<HubCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource? _paused;
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private RawHubSocket(WebSocket socket, IHubProtocol protocol)
    {
        _socket = socket;
        Protocol = protocol;
    }

    /// <summary>The official protocol this socket speaks (MessagePack with Zaqar's formatters, or JSON).</summary>
    public IHubProtocol Protocol { get; }

    /// <summary>Invocations the server sent (pushes), in order.</summary>
    public Channel<InvocationMessage> Invocations { get; } = Channel.CreateUnbounded<InvocationMessage>();

    /// <summary>Completes when the connection ends.</summary>
    public Task<HubCloseReason> Closed => _closed.Task;

    /// <summary>Connects in memory (the TestServer's WebSocket client) and completes the handshake for <paramref name="version"/>.</summary>
    public static async Task<RawHubSocket> ConnectAsync(
        WebApplicationFactory<Program> factory, HubWireProtocol protocol, string pathAndQuery, int version = 1)
    {
        var socket = await factory.Server.CreateWebSocketClient()
            .ConnectAsync(new Uri(new Uri("ws://localhost"), pathAndQuery), TestContext.Current.CancellationToken);
        return await HandshakeAsync(socket, protocol, version);
    }

    /// <summary>Connects over a real socket (<paramref name="http"/> may shape it, e.g. a small receive buffer).</summary>
    public static async Task<RawHubSocket> ConnectAsync(Uri url, HubWireProtocol protocol, HttpMessageInvoker? http = null, int version = 1)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(url) { Scheme = "ws" }.Uri, http, TestContext.Current.CancellationToken);
        return await HandshakeAsync(socket, protocol, version);
    }

    /// <summary>The official protocol object for <paramref name="protocol"/>, configured as the server's.</summary>
    public static IHubProtocol Create(HubWireProtocol protocol) => protocol == HubWireProtocol.MessagePack
        ? new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = ZaqarMessagePack.ClientOptions }))
        : new JsonHubProtocol();

    /// <summary>The bytes of one message (length prefix or record separator included).</summary>
    public ReadOnlyMemory<byte> Encode(HubMessage message) => Protocol.GetMessageBytes(message);

    /// <summary>Sends <paramref name="data"/> as one WebSocket message.</summary>
    public Task SendRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendRawAsync([data], cancellationToken);

    /// <summary>Sends one WebSocket message in the given fragments.</summary>
    public async Task SendRawAsync(IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken = default)
    {
        var type = Protocol.TransferFormat == Microsoft.AspNetCore.Connections.TransferFormat.Binary
            ? WebSocketMessageType.Binary
            : WebSocketMessageType.Text;
        for (var i = 0; i < fragments.Count; i++)
        {
            await _socket.SendAsync(fragments[i], type, endOfMessage: i == fragments.Count - 1, cancellationToken);
        }
    }

    /// <summary>Invokes a method and returns its completion (its result bound as <see cref="JsonNode"/>).</summary>
    public async Task<CompletionMessage> InvokeAsync(string method, params object?[] args)
    {
        var id = "call-" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = Expect(id);
        await SendRawAsync(Encode(new InvocationMessage(id, method, args)), TestContext.Current.CancellationToken);
        return await completion.WaitAsync(HubTestKit.Timeout, TestContext.Current.CancellationToken);
    }

    /// <summary>The completion of an invocation sent as raw bytes: call before sending them.</summary>
    public Task<CompletionMessage> Expect(string invocationId) =>
        _calls.GetOrAdd(invocationId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Stops reading the socket: what the server sends piles up in its buffers, as with a stalled subscriber.</summary>
    public void PauseReading() => Interlocked.CompareExchange(ref _paused, new(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void ResumeReading() => Interlocked.Exchange(ref _paused, null)?.TrySetResult();

    IReadOnlyList<Type> IInvocationBinder.GetParameterTypes(string methodName) => [typeof(string), typeof(JsonNode)];

    Type IInvocationBinder.GetReturnType(string invocationId) => typeof(JsonNode);

    Type IInvocationBinder.GetStreamItemType(string streamId) => typeof(JsonNode);

    private static async Task<RawHubSocket> HandshakeAsync(WebSocket socket, HubWireProtocol protocol, int version)
    {
        var hub = new RawHubSocket(socket, Create(protocol));
        var request = new ArrayBufferWriter<byte>();
        HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(hub.Protocol.Name, version), request);
        await socket.SendAsync(request.WrittenMemory, WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var buffer = new ArrayBufferWriter<byte>();
        await hub.ReceiveMessageAsync(buffer, TestContext.Current.CancellationToken);
        var input = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        if (!HandshakeProtocol.TryParseResponseMessage(ref input, out var response))
        {
            throw new InvalidDataException("no handshake response");
        }
        if (response.Error is not null)
        {
            await hub.DisposeAsync();
            throw new HubException("Handshake refused: " + response.Error);
        }
        hub._receiving = hub.ReceiveLoopAsync(input.ToArray());
        return hub;
    }

    private async Task ReceiveLoopAsync(byte[] rest)
    {
        var pending = new ArrayBufferWriter<byte>();
        pending.Write(rest);
        WebSocketCloseStatus? status = null;
        try
        {
            while (true)
            {
                Dispatch(pending);
                if (_paused is { } paused)
                {
                    await paused.Task.WaitAsync(_stop.Token);
                }
                if (!await ReceiveMessageAsync(pending, _stop.Token))
                {
                    status = _socket.CloseStatus;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The connection is gone.
        }
        _closed.TrySetResult(new HubCloseReason(null, false, false, status));
        foreach (var call in _calls.Values)
        {
            call.TrySetException(new HubException("The connection closed."));
        }
        Invocations.Writer.TryComplete();
    }

    private void Dispatch(ArrayBufferWriter<byte> pending)
    {
        var input = new ReadOnlySequence<byte>(pending.WrittenMemory);
        while (Protocol.TryParseMessage(ref input, this, out var message))
        {
            switch (message)
            {
                case CompletionMessage completion when _calls.TryRemove(completion.InvocationId!, out var call):
                    call.TrySetResult(completion);
                    break;
                case InvocationMessage invocation:
                    Invocations.Writer.TryWrite(invocation);
                    break;
                case CloseMessage close:
                    _closed.TrySetResult(new HubCloseReason(close.Error, true, close.AllowReconnect, null));
                    break;
            }
        }
        var left = input.ToArray();
        pending.ResetWrittenCount();
        pending.Write(left);
    }

    /// <summary>Appends one whole WebSocket message to <paramref name="into"/>; false when the socket closed instead.</summary>
    private async Task<bool> ReceiveMessageAsync(ArrayBufferWriter<byte> into, CancellationToken ct)
    {
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(into.GetMemory(16 * 1024), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }
            into.Advance(result.Count);
        }
        while (!result.EndOfMessage);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        ResumeReading();
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _stop.CancelAsync();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }
}
