using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Sockets;
using Zaqar.Serialization;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// A plain WebSocket client of Zaqar's websocket transport (/v2/ws) over a real socket: sends frames as given (well-formed
/// or hostile) and reads whatever comes back, with a timeout on every wait.
/// </summary>
internal sealed class SocketTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private SocketTestClient(WebSocket socket, string project)
    {
        Socket = socket;
        Headers = new JsonObject { ["Client-ID"] = Guid.NewGuid().ToString(), ["X-Project-ID"] = project };
    }

    public WebSocket Socket { get; }

    /// <summary>The identity headers every <see cref="CallAsync"/> frame carries unless told otherwise.</summary>
    public JsonObject Headers { get; }

    public static async Task<SocketTestClient> ConnectAsync(Uri service, string project, HttpMessageInvoker? http = null)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(service) { Scheme = "ws", Path = "/v2/ws" }.Uri;
        using var timeout = Deadline();
        if (http is null)
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        else
        {
            await socket.ConnectAsync(uri, http, timeout.Token);
        }
        return new SocketTestClient(socket, project);
    }

    /// <summary>A client of the in-memory TestServer of <paramref name="factory"/> (WebSockets without a socket).</summary>
    public static async Task<SocketTestClient> ConnectAsync(WebApplicationFactory<Program> factory, string project)
    {
        using var timeout = Deadline();
        var socket = await factory.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/v2/ws"), timeout.Token);
        return new SocketTestClient(socket, project);
    }

    /// <summary>Sends <c>{action, headers, body}</c> (text or MessagePack) and reads the answer as JSON.</summary>
    public async Task<JsonNode> CallAsync(string action, object? body = null, bool binary = false, JsonObject? headers = null)
    {
        var frame = new JsonObject { ["action"] = action, ["headers"] = (headers ?? Headers).DeepClone() };
        if (body is not null)
        {
            frame["body"] = JsonSerializer.SerializeToNode(body);
        }
        await SendJsonAsync(frame, binary);
        return await ReceiveJsonAsync(binary);
    }

    /// <summary>Sends a JSON value as a text frame, or as MessagePack in a binary frame.</summary>
    public Task SendJsonAsync(JsonNode frame, bool binary = false)
    {
        var json = Encoding.UTF8.GetBytes(frame.ToJsonString());
        return SendAsync(binary ? SocketAnswers.Encode(json, binary: true) : json, binary);
    }

    /// <summary>Sends raw bytes as one frame of the given type.</summary>
    public async Task SendAsync(byte[] payload, bool binary)
    {
        using var timeout = Deadline();
        await Socket.SendAsync(payload, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next frame, as JSON; asserts it came in the expected frame type.</summary>
    public async Task<JsonNode> ReceiveJsonAsync(bool binary = false)
    {
        var (type, payload) = await ReceiveAsync();
        Assert.Equal(binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, type);
        return JsonNode.Parse(binary ? JsonMessagePack.ReadJson(payload, ZaqarMessagePack.ClientOptions) : payload)!;
    }

    /// <summary>The next frame (or the close) and its bytes.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveAsync()
    {
        using var timeout = Deadline();
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = Deadline();
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The test is over; the server notices the socket went away.
            }
        }
        Socket.Dispose();
    }

    private static CancellationTokenSource Deadline()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Timeout);
        return source;
    }
}

/// <summary>Reading answers of the transport.</summary>
internal static class SocketAnswersOf
{
    public static int Status(this JsonNode answer) => answer["headers"]!["status"]!.GetValue<int>();

    public static JsonNode? Body(this JsonNode answer) => answer["body"];

    public static string? Error(this JsonNode answer) => answer["body"]?["error"]?.GetValue<string>();
}
