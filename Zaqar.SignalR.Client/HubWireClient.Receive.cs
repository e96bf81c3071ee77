using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;

namespace Zaqar.SignalR.Client;

/// <summary>The receive side: handshake, the read loop, framing across WebSocket messages, and dispatch.</summary>
public sealed partial class HubWireClient
{
    private const int MinReadSize = 4096;

    // Received bytes not parsed yet: [_start, _end). Only the handshake and then the receive loop touch them.
    private byte[] _inbox = new byte[16 * 1024];
    private int _start;
    private int _end;
    private TaskCompletionSource? _readGate;
    private long _receivedSequence;
    private long _ackedSequence;

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var request = new ArrayBufferWriter<byte>();
        HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(Protocol.Name, _options.Version), request);
        // The handshake is JSON text whatever the protocol (the JS client sends it in a text frame too).
        await Socket.SendAsync(request.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        while (true)
        {
            if (!await ReceiveChunkAsync(cancellationToken))
            {
                throw new HubConnectException($"The server closed the connection during the handshake ({Socket.CloseStatusDescription}).");
            }
            var input = new ReadOnlySequence<byte>(_inbox, _start, _end - _start);
            if (HandshakeProtocol.TryParseResponseMessage(ref input, out var response))
            {
                // Messages may follow the response in the same WebSocket message: they stay in the inbox for the loop.
                _start = _end - (int)input.Length;
                if (response.Error is not null)
                {
                    throw new HubConnectException("The server refused the handshake: " + response.Error);
                }
                return;
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        HubCloseReason reason;
        try
        {
            reason = await ReadMessagesAsync(_stopping.Token);
        }
        catch (Exception ex)
        {
            reason = new HubCloseReason(null, false, false, Socket.CloseStatus, ex);
        }
        await CloseOutputAsync(WebSocketCloseStatus.NormalClosure);
        Complete(reason);
    }

    private async Task<HubCloseReason> ReadMessagesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var input = new ReadOnlySequence<byte>(_inbox, _start, _end - _start);
            while (Protocol.TryParseMessage(ref input, _binder, out var message))
            {
                _start = _end - (int)input.Length;
                if (message is CloseMessage close)
                {
                    return new HubCloseReason(close.Error, true, close.AllowReconnect, null, null);
                }
                await DispatchAsync(message);
            }
            _start = _end - (int)input.Length;
            await AckIfDueAsync();

            if (Volatile.Read(ref _readGate) is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            if (!await ReceiveChunkAsync(cancellationToken))
            {
                return new HubCloseReason(null, false, false, Socket.CloseStatus, null);
            }
        }
    }

    /// <summary>Reads what the socket has (part of a WebSocket message, or a whole one) into the inbox; false on a close frame.</summary>
    private async Task<bool> ReceiveChunkAsync(CancellationToken cancellationToken)
    {
        if (_inbox.Length - _end < MinReadSize)
        {
            var pending = _end - _start;
            var target = pending + MinReadSize <= _inbox.Length / 2 ? _inbox : new byte[Math.Max(_inbox.Length * 2, pending + MinReadSize)];
            Buffer.BlockCopy(_inbox, _start, target, 0, pending);
            (_inbox, _start, _end) = (target, 0, pending);
        }
        var result = await Socket.ReceiveAsync(_inbox.AsMemory(_end), cancellationToken);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            return false;
        }
        _end += result.Count;
        return true;
    }

    private async Task DispatchAsync(HubMessage message)
    {
        if (message is HubInvocationMessage)
        {
            _receivedSequence++; // Stateful reconnect counts types 1-5 only.
        }
        switch (message)
        {
            case CompletionMessage completion when _pending.TryGetValue(completion.InvocationId!, out var call):
                call.Complete(completion);
                break;
            case StreamItemMessage item when _pending.TryGetValue(item.InvocationId!, out var call):
                call.Items?.Writer.TryWrite(item.Item);
                break;
            case StreamBindingFailureMessage failure when _pending.TryGetValue(failure.Id, out var call):
                call.Fail(failure.BindingFailure.SourceException);
                break;
            case InvocationMessage invocation:
                await InvokeHandlerAsync(invocation);
                break;
            case InvocationBindingFailureMessage failure:
                LogUnbound(_logger, failure.Target, failure.BindingFailure.SourceException);
                if (failure.InvocationId is not null)
                {
                    await TrySendAsync(CompletionMessage.WithError(failure.InvocationId, "The client could not bind the arguments."));
                }
                break;
            case PingMessage:
                await TrySendAsync(PingMessage.Instance);
                break;
            default:
                // Acks and Sequences (no reconnects here), and completions of calls the caller gave up on.
                LogIgnoredMessage(_logger, message.GetType().Name);
                break;
        }
    }

    private async Task InvokeHandlerAsync(InvocationMessage invocation)
    {
        if (_handlers.TryGetValue(invocation.Target, out var handler))
        {
            try
            {
                await handler.Invoke(invocation.Arguments);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, invocation.Target, ex);
            }
        }
        if (invocation.InvocationId is not null)
        {
            // The server waits for a client result: say plainly there is none.
            await TrySendAsync(CompletionMessage.WithError(invocation.InvocationId, "Client results are not supported by HubWireClient."));
        }
    }

    private async Task AckIfDueAsync()
    {
        if (_statefulReconnect && _receivedSequence > _ackedSequence)
        {
            _ackedSequence = _receivedSequence;
            await TrySendAsync(new AckMessage(_ackedSequence));
        }
    }

    private void Complete(HubCloseReason reason)
    {
        // Closed first: a call registered after the sweep below sees it and fails at once.
        _closed.TrySetResult(reason);
        foreach (var call in _pending.Values)
        {
            call.Fail(new HubConnectionClosedException(reason));
        }
    }

    /// <summary>An invocation or stream waiting for its completion.</summary>
    private sealed class PendingCall(string method, Type type, bool isStream)
    {
        public Type Type => type;

        public bool IsStream => isStream;

        public TaskCompletionSource<object?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Channel<object?>? Items { get; } = isStream ? Channel.CreateUnbounded<object?>(new() { SingleWriter = true }) : null;

        public void Complete(CompletionMessage completion)
        {
            var error = completion.Error is null ? null : new HubInvocationException(method, completion.Error);
            if (Items is not null)
            {
                Items.Writer.TryComplete(error);
            }
            else if (error is not null)
            {
                Result.TrySetException(error);
            }
            else
            {
                Result.TrySetResult(completion.Result);
            }
        }

        public void Fail(Exception error)
        {
            Result.TrySetException(error);
            Items?.Writer.TryComplete(error);
        }
    }

    private sealed record Handler(Type[] ParameterTypes, Func<object?[], Task> Invoke);

    /// <summary>Tells the protocol what to bind: results by pending invocation id, items by stream id, arguments by target.</summary>
    private sealed class Binder(HubWireClient client) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            client._handlers.TryGetValue(methodName, out var handler)
                ? handler.ParameterTypes
                : throw new HubException($"No handler is registered for '{methodName}'.");

        public Type GetReturnType(string invocationId) =>
            client._pending.TryGetValue(invocationId, out var call) && !call.IsStream
                ? call.Type
                : throw new KeyNotFoundException($"No invocation '{invocationId}' is pending.");

        public Type GetStreamItemType(string streamId) =>
            client._pending.TryGetValue(streamId, out var call) && call.IsStream
                ? call.Type
                : throw new KeyNotFoundException($"No stream '{streamId}' is pending.");
    }

    [LoggerMessage(2, LogLevel.Warning, "The server invoked '{Target}' with arguments the client could not bind", EventName = "Unbound")]
    private static partial void LogUnbound(ILogger logger, string target, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Ignored a {Message} message", EventName = "IgnoredMessage")]
    private static partial void LogIgnoredMessage(ILogger logger, string message);

    [LoggerMessage(4, LogLevel.Warning, "The handler of '{Target}' failed", EventName = "HandlerFailed")]
    private static partial void LogHandlerFailed(ILogger logger, string target, Exception exception);
}
