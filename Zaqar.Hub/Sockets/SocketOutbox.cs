using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Zaqar.Hub.Sockets;

/// <summary>
/// Everything a websocket connection sends, in order, written by one pump: answers (the connection's reader waits for
/// each to be written, so a client that stops reading stops being read) and pushes (enqueued by posters, never
/// waited on). Pushes waiting to be written are bounded (<see cref="SocketOptions.PushBufferMessages"/> and
/// <see cref="SocketOptions.PushBufferBytes"/>); past that the connection is closed with a reason, as the hub does.
/// </summary>
/// <remarks>
/// Closing drops what is still queued and sends the close frame next, so a subscriber that fell behind learns why without
/// first reading the backlog; one whose socket takes nothing more (the frame can't be written behind data already sent)
/// is aborted after <see cref="SocketOptions.CloseTimeoutSeconds"/>. Thread-safe.
/// </remarks>
public sealed class SocketOutbox
{
    /// <summary>RFC 6455 limits a close reason to 123 bytes of UTF-8.</summary>
    private const int MaxReasonBytes = 123;

    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WebSocket _socket;
    private readonly SocketOptions _options;
    private readonly CancellationTokenSource _abort;
    private readonly Task _pump;
    private long _pushMessages;
    private long _pushBytes;
    private CloseRequest? _close;
    private List<Frame>? _held;

    public SocketOutbox(WebSocket socket, SocketOptions options, CancellationTokenSource abort)
    {
        (_socket, _options, _abort) = (socket, options, abort);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Holds pushes back until the next answer is sent: a client that posts to a queue it subscribed to reads the answer to
    /// its post before the push of what it posted (Zaqar's pushes come later, through its notifier), and a client that reads
    /// one answer per request finds it next.
    /// </summary>
    public void HoldPushes()
    {
        lock (_frames)
        {
            _held ??= [];
        }
    }

    /// <summary>
    /// Writes an answer after whatever was queued before it, then the pushes held back meanwhile; completes once the
    /// answer was handed to the socket.
    /// </summary>
    public Task SendAsync(byte[] bytes, bool binary)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_frames)
        {
            if (!_frames.Writer.TryWrite(new Frame(bytes, binary, Push: false, written)))
            {
                written.TrySetCanceled();
            }
            foreach (var push in _held ?? [])
            {
                _frames.Writer.TryWrite(push);
            }
            _held = null;
        }
        return written.Task;
    }

    /// <summary>Queues a push, unless the connection is closing; a push past the bounds closes it instead.</summary>
    public PushOutcome Push(byte[] bytes, bool binary)
    {
        if (Closing)
        {
            return PushOutcome.Dropped;
        }
        if (Interlocked.Increment(ref _pushMessages) > _options.PushBufferMessages ||
            Interlocked.Add(ref _pushBytes, bytes.Length) > _options.PushBufferBytes)
        {
            return Close(WebSocketCloseStatus.PolicyViolation,
                $"Push buffer overflow: more than {_options.PushBufferMessages} messages or {_options.PushBufferBytes} bytes unread.")
                ? PushOutcome.Overflowed
                : PushOutcome.Dropped;
        }
        var frame = new Frame(bytes, binary, Push: true, Written: null);
        lock (_frames)
        {
            if (_held is not null)
            {
                _held.Add(frame);
                return PushOutcome.Queued;
            }
            return _frames.Writer.TryWrite(frame) ? PushOutcome.Queued : PushOutcome.Dropped;
        }
    }

    /// <summary>
    /// Closes the connection with a status and reason (sent before anything still queued). The first reason wins: false
    /// when the connection was closing already.
    /// </summary>
    public bool Close(WebSocketCloseStatus status, string reason)
    {
        lock (_frames)
        {
            if (_close is not null)
            {
                return false;
            }
            _close = new CloseRequest(status, Truncate(reason));
        }
        _frames.Writer.TryComplete();
        try
        {
            // A pump stuck writing to a client that reads nothing can't send the close frame: abort it then.
            _abort.CancelAfter(TimeSpan.FromSeconds(_options.CloseTimeoutSeconds));
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
        return true;
    }

    /// <summary>No more frames: completes once everything queued was written (or dropped by a close).</summary>
    public Task DrainAsync()
    {
        _frames.Writer.TryComplete();
        return _pump;
    }

    /// <summary>True once <see cref="Close"/> was called (by overflow, token expiry or shutdown).</summary>
    public bool Closing => Volatile.Read(ref _close) is not null;

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync())
            {
                if (Closing)
                {
                    frame.Written?.TrySetCanceled();
                    continue;
                }
                await _socket.SendAsync(frame.Bytes, frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, _abort.Token);
                if (frame.Push)
                {
                    Interlocked.Decrement(ref _pushMessages);
                    Interlocked.Add(ref _pushBytes, -frame.Bytes.Length);
                }
                frame.Written?.TrySetResult();
            }
            if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(close.Status, close.Reason, _abort.Token);
            }
        }
        catch (Exception)
        {
            // Whatever stopped the writing (the connection is gone, was aborted, or broke), nothing more can be written.
            _abort.Cancel();
        }
        finally
        {
            while (_frames.Reader.TryRead(out var left))
            {
                left.Written?.TrySetCanceled();
            }
        }
    }

    private static string Truncate(string reason)
    {
        var bytes = Encoding.UTF8.GetBytes(reason);
        return bytes.Length <= MaxReasonBytes ? reason : Encoding.UTF8.GetString(bytes, 0, MaxReasonBytes).TrimEnd('\uFFFD');
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Reason);

    private sealed record Frame(byte[] Bytes, bool Binary, bool Push, TaskCompletionSource? Written);
}

/// <summary>What became of a push handed to a connection's outbox.</summary>
public enum PushOutcome
{
    Queued,

    /// <summary>The connection is closing; the push is dropped.</summary>
    Dropped,

    /// <summary>This push went past the bounds: the connection is being closed with the overflow reason.</summary>
    Overflowed,
}
