using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// A minimal SignalR client for these tests: a WebSocket straight to the hub (no negotiation, as the JS client's
/// skipNegotiation does), the JSON hub protocol, invocations, one stream, and the pushed <c>Messages</c>.
/// </summary>
/// <remarks>One receive loop; invoke and stream from the test's thread.</remarks>
public sealed class HubSocket : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _calls = new();
    private readonly ConcurrentDictionary<string, Channel<JsonElement>> _streams = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    /// <summary>Every message pushed to this connection, with its queue, in arrival order.</summary>
    public Channel<(string Queue, JsonElement Message)> Pushed { get; } = Channel.CreateUnbounded<(string, JsonElement)>();

    public static async Task<HubSocket> ConnectAsync(Uri server, string project, CancellationToken ct)
    {
        var hub = new HubSocket();
        var uri = new UriBuilder(server)
        {
            Scheme = "ws",
            Path = "/hubs/queues",
            Query = $"project_id={Uri.EscapeDataString(project)}&client_id={Guid.NewGuid()}",
        }.Uri;
        await hub._socket.ConnectAsync(uri, ct);
        await hub.SendAsync("""{"protocol":"json","version":1}""", ct);
        var handshake = await hub.ReceiveTextAsync(ct);
        Assert.Equal("{}" + RecordSeparator, handshake);
        hub._receiving = hub.ReceiveLoopAsync();
        return hub;
    }

    /// <summary>Calls a hub method and returns its result; a failed call throws with the server's error text.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = completion;
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments = args }), _closing.Token);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Starts a server-to-client stream; its items arrive in the returned channel.</summary>
    public async Task<ChannelReader<JsonElement>> StreamAsync(string target, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var items = Channel.CreateUnbounded<JsonElement>();
        _streams[id] = items;
        await SendAsync(JsonSerializer.Serialize(new { type = 4, invocationId = id, target, arguments = args }), _closing.Token);
        return items.Reader;
    }

    /// <summary>The next pushed message, or a failure naming what was awaited.</summary>
    public async Task<(string Queue, JsonElement Message)> NextPushAsync(TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await Pushed.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no push within {timeout.TotalSeconds} s: {what}");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var text = await ReceiveTextAsync(_closing.Token);
                foreach (var frame in text.Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    Handle(JsonDocument.Parse(frame).RootElement.Clone());
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Closed.
        }
        foreach (var call in _calls.Values)
        {
            call.TrySetException(new InvalidOperationException("the hub connection closed"));
        }
        foreach (var stream in _streams.Values)
        {
            stream.Writer.TryComplete();
        }
        Pushed.Writer.TryComplete();
    }

    private void Handle(JsonElement frame)
    {
        switch (frame.GetProperty("type").GetInt32())
        {
            case 1 when frame.GetProperty("target").GetString() == "Messages":
                var args = frame.GetProperty("arguments");
                foreach (var message in args[1].EnumerateArray())
                {
                    Pushed.Writer.TryWrite((args[0].GetString()!, message));
                }
                break;
            case 2:
                if (_streams.TryGetValue(frame.GetProperty("invocationId").GetString()!, out var stream))
                {
                    stream.Writer.TryWrite(frame.GetProperty("item"));
                }
                break;
            case 3:
                var id = frame.GetProperty("invocationId").GetString()!;
                if (_calls.TryRemove(id, out var call))
                {
                    if (frame.TryGetProperty("error", out var error))
                    {
                        call.TrySetException(new InvalidOperationException(error.GetString()));
                    }
                    else
                    {
                        call.TrySetResult(frame.TryGetProperty("result", out var result) ? result : default);
                    }
                }
                else if (_streams.TryRemove(id, out var ended))
                {
                    ended.Writer.TryComplete(frame.TryGetProperty("error", out var e) ? new InvalidOperationException(e.GetString()) : null);
                }
                break;
            case 7:
                _closing.Cancel();
                break;
        }
    }

    private async Task SendAsync(string json, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<string> ReceiveTextAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed by the server");
            }
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }
        await _closing.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _closing.Dispose();
        _sendLock.Dispose();
    }
}
