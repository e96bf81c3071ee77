using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Sockets;
using Zaqar.Serialization;

namespace Zaqar.Bench;

/// <summary>
/// Zaqar's own websocket transport (/v2/ws, issue 13) over keep-alive connections (one per worker), with MessagePack
/// binary frames and JSON text frames: the same work as the hub scenarios (post 10, claim 10 + delete), so one run puts
/// Zaqar's protocol next to the hub with MessagePack.
/// </summary>
internal sealed class ZaqarSocketScenarios(BenchHost host, BenchOptions options)
{
    private static readonly JsonNode Body = JsonNode.Parse(Payloads.Body)!;

    /// <summary>Runs the scenarios through the bench's runner (Program's <c>Run</c>), after the hub's.</summary>
    public static async Task RunAsync(BenchHost host, BenchOptions options, Func<string, Func<Task<ScenarioResult>>, Task> run, int prefill)
    {
        var sockets = new ZaqarSocketScenarios(host, options);
        await run("ws-mp-post", () => sockets.PostAsync("Zaqar ws MessagePack: post 10 x 256 B", binary: true));
        await run("ws-json-post", () => sockets.PostAsync("Zaqar ws JSON: post 10 x 256 B", binary: false));
        await run("ws-mp-claim", () => sockets.ClaimAndDeleteAsync("Zaqar ws MessagePack: claim 10 + delete", binary: true, prefill));
        await run("ws-json-claim", () => sockets.ClaimAndDeleteAsync("Zaqar ws JSON: claim 10 + delete", binary: false, prefill));
    }

    /// <summary>Prints the ratios against the hub with MessagePack (Program's <c>Ratio</c>).</summary>
    public static void Ratios(Action<string, string, string> ratio)
    {
        ratio("Zaqar ws MessagePack post 10 / hub MessagePack post 10", "ws-mp-post", "hub-mp-post");
        ratio("Zaqar ws JSON post 10 / hub MessagePack post 10", "ws-json-post", "hub-mp-post");
        ratio("Zaqar ws MessagePack claim+delete / hub MessagePack", "ws-mp-claim", "hub-mp-claim");
        ratio("Zaqar ws JSON claim+delete / hub MessagePack", "ws-json-claim", "hub-mp-claim");
    }

    public Task<ScenarioResult> PostAsync(string name, bool binary) =>
        WithConnectionsAsync("bench-ws-post", binary, async (connections, project) =>
        {
            var messages = new JsonArray(Enumerable.Range(0, 10).Select(_ => (JsonNode)new JsonObject { ["body"] = Body.DeepClone(), ["ttl"] = 3600 }).ToArray());
            var frames = connections.Select(c => c.Frame("message_post", new JsonObject { ["queue_name"] = "q", ["messages"] = messages.DeepClone() })).ToArray();
            return await LoadRunner.RunAsync(name, connections.Length, options.Duration, async worker =>
            {
                using var answer = await connections[worker].CallAsync(frames[worker], 201);
                return 10;
            });
        });

    public Task<ScenarioResult> ClaimAndDeleteAsync(string name, bool binary, int prefill) =>
        WithConnectionsAsync("bench-ws-claim", binary, async (connections, project) =>
        {
            await RestScenarios.PrefillAsync(host, project, "work", prefill);
            var claims = connections.Select(c => c.Frame("claim_create", new JsonObject { ["queue_name"] = "work", ["limit"] = 10, ["ttl"] = 300, ["grace"] = 60 })).ToArray();
            return await LoadRunner.RunAsync(name, connections.Length, options.Duration, async worker =>
            {
                var connection = connections[worker];
                using var claimed = await connection.CallAsync(claims[worker], 201, 204);
                var body = claimed.RootElement.GetProperty("body");
                if (!body.TryGetProperty("messages", out var messages))
                {
                    return 0;
                }
                var ids = new JsonArray(messages.EnumerateArray().Select(m => (JsonNode)m.GetProperty("id").GetString()!).ToArray());
                var delete = connection.Frame("message_delete_many", new JsonObject
                {
                    ["queue_name"] = "work",
                    ["message_ids"] = ids,
                    ["claim_ids"] = new JsonArray(body.GetProperty("claim_id").GetString()),
                });
                using var deleted = await connection.CallAsync(delete, 204);
                return ids.Count;
            });
        });

    private async Task<ScenarioResult> WithConnectionsAsync(string projectPrefix, bool binary, Func<Connection[], string, Task<ScenarioResult>> run)
    {
        var project = projectPrefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var uri = new UriBuilder(host.BaseAddress) { Scheme = "ws", Path = "/v2/ws" }.Uri;
        var connections = await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(async _ =>
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, CancellationToken.None);
            return new Connection(socket, project, binary);
        }));
        try
        {
            return await run(connections, project);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                connection.Socket.Dispose();
            }
        }
    }

    /// <summary>One connection: frames encoded as it speaks (text JSON or binary MessagePack), answers decoded to JSON.</summary>
    private sealed class Connection(ClientWebSocket socket, string project, bool binary)
    {
        private readonly JsonObject _headers = new() { ["Client-ID"] = Guid.NewGuid().ToString(), ["X-Project-ID"] = project };
        private readonly byte[] _buffer = new byte[64 * 1024];

        public ClientWebSocket Socket { get; } = socket;

        public byte[] Frame(string action, JsonObject body)
        {
            var json = Encoding.UTF8.GetBytes(new JsonObject { ["action"] = action, ["headers"] = _headers.DeepClone(), ["body"] = body }.ToJsonString());
            return SocketAnswers.Encode(json, binary);
        }

        /// <summary>Sends a frame and reads its answer, which must have one of <paramref name="statuses"/>.</summary>
        public async Task<JsonDocument> CallAsync(byte[] frame, params int[] statuses)
        {
            await Socket.SendAsync(frame, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
            using var answer = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await Socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None);
                answer.Write(_buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var document = JsonDocument.Parse(binary ? JsonMessagePack.ReadJson(answer.ToArray(), ZaqarMessagePack.ClientOptions) : answer.ToArray());
            var status = document.RootElement.GetProperty("headers").GetProperty("status").GetInt32();
            if (!statuses.Contains(status))
            {
                throw new InvalidOperationException($"Zaqar ws: status {status}: {document.RootElement.GetProperty("body")}");
            }
            return document;
        }
    }
}
