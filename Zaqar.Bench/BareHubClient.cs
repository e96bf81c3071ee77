using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Zaqar.Bench;

/// <summary>A push (an invocation message of the server, without its length prefix), valid only during the call.</summary>
internal delegate void PushHandler(ReadOnlyMemory<byte> invocation);

/// <summary>
/// A hub connection for the bench's many subscribers: a bare WebSocket from a chosen loopback source address (one
/// source address runs out of ephemeral ports long before 18,000 connections), speaking SignalR's MessagePack protocol
/// by hand so that thousands of them stay cheap on the client side: the handshake, invocations of one string argument
/// (Subscribe), pings every 15 s so the server keeps it, and each push handed over as its bytes as it arrives.
/// </summary>
/// <remarks>
/// The idle scenario (issue 14 item 5) holds 18,000 of them; the fan-out (item 4) receives through 1,000 of them,
/// because its subscribers share the service's two cores, and the official client's receive loop and decoding cost as
/// much CPU per delivery as the service nodes themselves (about 9 µs each): the figure measured the clients as much as
/// the service. 1,000 subscribers of a real deployment run on their own machines.
/// </remarks>
internal sealed class BareHubClient : IAsyncDisposable
{
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"messagepack\",\"version\":1}\u001e");

    // A ping message, [6], with its length prefix.
    private static readonly byte[] Ping = [0x02, 0x91, 0x06];

    private const byte InvocationType = 1, CompletionType = 3, CloseType = 7;

    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly PushHandler _pushed;
    private TaskCompletionSource<string?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;

    private BareHubClient(PushHandler pushed) => _pushed = pushed;

    /// <summary>
    /// Connects from <paramref name="source"/> and completes the handshake; <paramref name="pushed"/> runs for every push
    /// received, on the client's receive loop (one at a time, in order).
    /// </summary>
    public static async Task<BareHubClient> ConnectAsync(Uri hub, IPAddress source, PushHandler pushed, CancellationToken ct)
    {
        var client = new BareHubClient(pushed);
        // Small buffers: the client's memory is not what is measured, but 18,000 default ones add up.
        client._socket.Options.SetBuffer(1024, 1024);
        client._socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        using var handler = new SocketsHttpHandler { ConnectCallback = (context, token) => ConnectFromAsync(source, context.DnsEndPoint, token) };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        await client._socket.ConnectAsync(hub, invoker, ct);
        await client._socket.SendAsync(Handshake, WebSocketMessageType.Binary, true, ct);
        var answer = new byte[256];
        var read = await client._socket.ReceiveAsync(answer, ct);
        var text = Encoding.UTF8.GetString(answer, 0, read.Count);
        if (!text.EndsWith('\u001e') || text.Contains("error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"handshake refused: {text}");
        }
        client._receiving = client.ReceiveAsync();
        client._pinging = client.PingAsync();
        return client;
    }

    /// <summary>Calls <paramref name="method"/>(<paramref name="argument"/>) and waits for its completion; throws with the hub's error.</summary>
    public async Task InvokeAsync(string method, string argument, CancellationToken ct)
    {
        _completion = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // [1, {}, "1", method, [argument], []]: an invocation with id "1" and no streams.
        var payload = new List<byte> { 0x96, InvocationType, 0x80, 0xa1, (byte)'1' };
        AddString(payload, method);
        payload.Add(0x91);
        AddString(payload, argument);
        payload.Add(0x90);
        var frame = new List<byte>();
        for (var length = payload.Count; ; length >>= 7)
        {
            frame.Add((byte)(length < 0x80 ? length : (length & 0x7f) | 0x80));
            if (length < 0x80)
            {
                break;
            }
        }
        frame.AddRange(payload);
        await SendAsync(frame.ToArray(), ct);
        if (await _completion.Task.WaitAsync(ct) is { } error)
        {
            throw new InvalidOperationException($"{method} failed: {error}");
        }
    }

    /// <summary>One send at a time, as a WebSocket allows.</summary>
    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Binary, true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private static void AddString(List<byte> payload, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 31)
        {
            throw new ArgumentException("only short strings are encoded here", nameof(value));
        }
        payload.Add((byte)(0xa0 | bytes.Length));
        payload.AddRange(bytes);
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            // A service named by host name (--service) resolves to its IPv4 addresses, as the socket is bound to one.
            await (IPAddress.TryParse(target.Host, out var address)
                ? socket.ConnectAsync(address, target.Port, ct)
                : socket.ConnectAsync(new DnsEndPoint(target.Host, target.Port, AddressFamily.InterNetwork), ct));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads frames: completions answer <see cref="InvokeAsync"/>, invocations are pushes; pings are ignored.</summary>
    private async Task ReceiveAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        try
        {
            while (true)
            {
                // A zero-byte read first: an idle client holds no receive buffer while it waits.
                await _socket.ReceiveAsync(Memory<byte>.Empty, _stop.Token);
                var memory = buffer.GetMemory(4096);
                var read = await _socket.ReceiveAsync(memory, _stop.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    _completion.TrySetResult("the server closed the connection");
                    return;
                }
                buffer.Advance(read.Count);
                var consumed = Parse(buffer.WrittenMemory);
                var rest = buffer.WrittenSpan[consumed..].ToArray();
                buffer.ResetWrittenCount();
                buffer.Write(rest);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            _completion.TrySetResult($"the connection ended: {ex.Message}");
        }
    }

    /// <summary>Handles the whole frames at the start of <paramref name="data"/>; returns how many bytes they took.</summary>
    private int Parse(ReadOnlyMemory<byte> frames)
    {
        var data = frames.Span;
        var consumed = 0;
        while (true)
        {
            int length = 0, shift = 0, at = consumed;
            while (true)
            {
                if (at >= data.Length)
                {
                    return consumed;
                }
                var b = data[at++];
                length |= (b & 0x7f) << shift;
                shift += 7;
                if (b < 0x80)
                {
                    break;
                }
            }
            if (data.Length - at < length)
            {
                return consumed;
            }
            var message = data.Slice(at, length);
            consumed = at + length;
            // Every message is an array whose first item is its type: [type, ...].
            switch (message.Length > 1 ? message[1] : 0)
            {
                case InvocationType:
                    _pushed(frames.Slice(at, length));
                    break;
                case CompletionType:
                    // [3, {}, "1", kind, ...]: kind 1 is an error (its text follows), 2 a void result, 3 a result.
                    _completion.TrySetResult(message.Length > 5 && message[5] == 1 ? Encoding.UTF8.GetString(message[6..]) : null);
                    break;
                case CloseType:
                    _completion.TrySetResult("the server sent Close: " + Encoding.UTF8.GetString(message[2..]));
                    break;
            }
        }
    }

    /// <summary>The server drops a client it hears nothing from for 30 s (SignalR's ClientTimeoutInterval).</summary>
    private async Task PingAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await SendAsync(Ping, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Abort();
        await Task.WhenAll(_receiving, _pinging);
        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
