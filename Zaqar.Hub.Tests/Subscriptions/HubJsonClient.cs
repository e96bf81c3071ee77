using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// Just enough of a SignalR client for the subscription hub tests: the JSON protocol over the TestServer's in-memory
/// WebSocket (no negotiate), invocations with their completions, and the pushed <c>Messages</c> calls.
/// </summary>
public sealed class HubJsonClient : IAsyncDisposable
{
    private const char Separator = '\u001e';
    private readonly WebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly Channel<(string Queue, JsonArray Messages)> _pushed = Channel.CreateUnbounded<(string, JsonArray)>();
    private readonly Task _receiving;
    private int _nextId;

    private HubJsonClient(WebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveAsync();
    }

    /// <summary>Connects as <paramref name="client"/>'s project and Client-ID (query string, as browsers must).</summary>
    public static async Task<HubJsonClient> ConnectAsync(WebApplicationFactory<Program> factory, ZaqarClient client)
    {
        var ct = TestContext.Current.CancellationToken;
        var url = new Uri($"ws://localhost/hubs/queues?project_id={Uri.EscapeDataString(client.Project)}&client_id={client.ClientId}");
        var socket = await factory.Server.CreateWebSocketClient().ConnectAsync(url, ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}" + Separator), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[1024];
        var handshake = await socket.ReceiveAsync(buffer, ct);
        Assert.Equal("{}" + Separator, Encoding.UTF8.GetString(buffer, 0, handshake.Count));
        return new HubJsonClient(socket);
    }

    /// <summary>Invokes a hub method; returns its result, or throws <see cref="HubCallException"/> with the error text.</summary>
    public async Task<JsonNode?> InvokeAsync(string method, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var frame = JsonSerializer.Serialize(new { type = 1, invocationId = id, target = method, arguments }) + Separator;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    /// <summary>The Zaqar error <c>{status, title, description}</c> a call failed with.</summary>
    public async Task<JsonNode> ErrorAsync(string method, params object?[] arguments)
    {
        var failure = await Assert.ThrowsAsync<HubCallException>(() => InvokeAsync(method, arguments));
        const string marker = "HubException: ";
        return JsonNode.Parse(failure.Message[(failure.Message.LastIndexOf(marker, StringComparison.Ordinal) + marker.Length)..])!;
    }

    /// <summary>The next pushed <c>Messages(queue, messages)</c>, or null when none comes within <paramref name="waitMs"/>.</summary>
    public async Task<(string Queue, JsonArray Messages)?> NextPushAsync(int waitMs = 5000)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(waitMs);
        try
        {
            return await _pushed.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (_socket.State == WebSocketState.Open)
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            int end;
            while ((end = text.ToString().IndexOf(Separator, StringComparison.Ordinal)) >= 0)
            {
                Dispatch(JsonNode.Parse(text.ToString(0, end))!.AsObject());
                text.Remove(0, end + 1);
            }
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new HubCallException("The connection closed."));
        }
    }

    private void Dispatch(JsonObject message)
    {
        switch ((int)message["type"]!)
        {
            case 1 when (string?)message["target"] == "Messages":
                var arguments = message["arguments"]!.AsArray();
                _pushed.Writer.TryWrite(((string)arguments[0]!, arguments[1]!.AsArray()));
                break;
            case 3 when _pending.TryRemove((string)message["invocationId"]!, out var completion):
                if (message["error"] is { } error)
                {
                    completion.TrySetException(new HubCallException((string)error!));
                }
                else
                {
                    completion.TrySetResult(message["result"]?.DeepClone());
                }
                break;
        }
    }
}

/// <summary>A hub invocation that completed with an error.</summary>
public sealed class HubCallException(string message) : Exception(message);
