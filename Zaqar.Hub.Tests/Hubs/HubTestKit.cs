using System.Net;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Sdk;
using Xunit.v3;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Client;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>The two hub protocols a client can choose.</summary>
public enum HubWireProtocol
{
    /// <summary>SignalR's "json" protocol.</summary>
    Json,

    /// <summary>SignalR's official "messagepack" protocol.</summary>
    MessagePack,
}

/// <summary>Runs a theory once per hub protocol: json and messagepack.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothProtocolsAttribute : DataAttribute
{
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker) =>
        new([new TheoryDataRow<HubWireProtocol>(HubWireProtocol.Json), new TheoryDataRow<HubWireProtocol>(HubWireProtocol.MessagePack)]);

    public override bool SupportsDiscoveryEnumeration() => true;
}

/// <summary>How a test's <see cref="HubConnection"/> connects.</summary>
public sealed class HubClientOptions
{
    /// <summary>The transport; WebSockets by default.</summary>
    public HttpTransportType Transport { get; set; } = HttpTransportType.WebSockets;

    /// <summary>Negotiate first; without it a WebSocket connects directly (SkipNegotiation), as browsers may.</summary>
    public bool Negotiate { get; set; }

    /// <summary>Ask for stateful reconnect (implies negotiating).</summary>
    public bool UseStatefulReconnect { get; set; }

    /// <summary>Request headers of every HTTP request of the connection (negotiate, upgrade, polls).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// MessagePack with Zaqar's formatters (Zaqar.Client's AddZaqarMessagePackProtocol), as by default; false for SignalR's
    /// own, to see what a plain HubConnection user sees (issue 11).
    /// </summary>
    public bool ZaqarFormatters { get; set; } = true;
}

/// <summary>
/// Connecting the official .NET client (<see cref="HubConnection"/>) to a test service, in memory or over a real socket,
/// plus waits, Zaqar errors and JSON comparisons.
/// </summary>
internal static class HubTestKit
{
    /// <summary>The longest any single wait in a hub test may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions CanonicalJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The hub address of <paramref name="client"/>'s project and Client-ID (in the query, as browsers send it).</summary>
    public static string HubPath(ZaqarClient client, string? extraQuery = null) =>
        $"/hubs/queues?project_id={Uri.EscapeDataString(client.Project)}&client_id={client.ClientId}{extraQuery}";

    /// <summary>A started hub connection on the in-memory TestServer, as <paramref name="client"/>'s caller.</summary>
    public static Task<HubClient> ConnectHubAsync(
        this WebApplicationFactory<Program> factory, HubWireProtocol protocol, ZaqarClient client, string? extraQuery = null,
        Action<HubClientOptions>? configure = null) =>
        factory.ConnectHubAsync(protocol, HubPath(client, extraQuery), configure);

    /// <summary>A started hub connection on the in-memory TestServer (WebSockets through its WebSocket client), at <paramref name="pathAndQuery"/>.</summary>
    public static Task<HubClient> ConnectHubAsync(
        this WebApplicationFactory<Program> factory, HubWireProtocol protocol, string pathAndQuery, Action<HubClientOptions>? configure = null)
    {
        var server = factory.Server;
        return ConnectAsync(new Uri(server.BaseAddress, pathAndQuery), protocol, configure, http => InMemory(http, server));
    }

    /// <summary>
    /// Points a connection at the in-memory TestServer: HTTP (negotiate, polls, Server-Sent Events) through its handler,
    /// WebSockets through its WebSocket client, with the connection's headers.
    /// </summary>
    public static void InMemory(HttpConnectionOptions http, TestServer server)
    {
        http.HttpMessageHandlerFactory = _ => server.CreateHandler();
        http.WebSocketFactory = async (context, ct) =>
        {
            var sockets = server.CreateWebSocketClient();
            sockets.ConfigureRequest = request =>
            {
                foreach (var (name, value) in context.Options.Headers)
                {
                    request.Headers[name] = value;
                }
            };
            return await sockets.ConnectAsync(context.Uri, ct);
        };
    }

    /// <summary>A started hub connection over loopback (a real socket) to <paramref name="url"/>.</summary>
    public static Task<HubClient> ConnectHubAsync(Uri url, HubWireProtocol protocol, Action<HubClientOptions>? configure = null) =>
        ConnectAsync(url, protocol, configure, _ => { });

    private static async Task<HubClient> ConnectAsync(
        Uri url, HubWireProtocol protocol, Action<HubClientOptions>? configure, Action<HttpConnectionOptions> transport)
    {
        var options = new HubClientOptions();
        configure?.Invoke(options);
        var builder = new HubConnectionBuilder().WithUrl(url, options.Transport, http =>
        {
            transport(http);
            http.SkipNegotiation = options.Transport == HttpTransportType.WebSockets && !options.Negotiate && !options.UseStatefulReconnect;
            foreach (var (name, value) in options.Headers)
            {
                http.Headers[name] = value;
            }
        });
        if (protocol == HubWireProtocol.MessagePack && options.ZaqarFormatters)
        {
            builder.AddZaqarMessagePackProtocol();
        }
        else if (protocol == HubWireProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }
        if (options.UseStatefulReconnect)
        {
            builder.WithStatefulReconnect();
        }
        var hub = new HubClient(builder.Build());
        try
        {
            await hub.Connection.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }
        return hub;
    }

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Timeout"/>.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Timeout"/>.</summary>
    public static Task Within(this Task task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>
    /// Reads until <paramref name="done"/> holds, at most <see cref="Timeout"/>: for what the server does after a call it does
    /// not wait for (the official client sends a stream's CancelInvocation and returns at once).
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Runs a hub call that must fail with a Zaqar error, and returns that error.</summary>
    public static async Task<ZaqarHubError> ZaqarErrorAsync(Func<Task> call)
    {
        var failure = await Assert.ThrowsAsync<HubException>(call);
        return failure.ZaqarError ?? throw new XunitException("not a Zaqar error: " + failure.Message);
    }

    /// <summary>The HTTP status a connection attempt was refused with (negotiate, or a WebSocket upgrade over a socket).</summary>
    public static async Task<HttpStatusCode> RefusedAsync(Func<Task> connect)
    {
        var failure = await Record.ExceptionAsync(connect);
        return failure switch
        {
            HttpRequestException { StatusCode: { } status } => status,
            System.Net.WebSockets.WebSocketException { InnerException: HttpRequestException { StatusCode: { } status } } => status,
            System.Net.WebSockets.WebSocketException ws when ws.Message.Contains("status code '", StringComparison.Ordinal) =>
                (HttpStatusCode)int.Parse(ws.Message.Split('\'')[1], System.Globalization.CultureInfo.InvariantCulture),
            null => throw new XunitException("the connection was not refused"),
            _ => throw new XunitException("refused without an HTTP status: " + failure),
        };
    }

    /// <summary>The error REST answered with, in the hub's shape, for comparison.</summary>
    public static ZaqarHubError RestError(ZaqarClient.Response response) =>
        new((int)response.Status, response.Title ?? "(no title)", response.Description);

    /// <summary>
    /// JSON text with key order and number spellings kept, strings escaped one way, and the values of
    /// <paramref name="ignored"/> keys (at any depth) replaced by null: two documents of the same shape compare equal.
    /// </summary>
    public static string Canonical(JsonNode? node, params string[] ignored)
    {
        var copy = node?.DeepClone();
        Blank(copy, ignored);
        return copy?.ToJsonString(CanonicalJson) ?? "null";
    }

    /// <summary>Canonical text of a JSON value given as text.</summary>
    public static string Canonical(string json) => Canonical(JsonNode.Parse(json));

    private static void Blank(JsonNode? node, string[] ignored)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (ignored.Contains(key))
                    {
                        obj[key] = null;
                    }
                    else
                    {
                        Blank(obj[key], ignored);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Blank(item, ignored);
                }
                break;
        }
    }
}

/// <summary>The Zaqar error and the server's text of a failed hub call, as the official client reports it.</summary>
internal static class HubExceptionExtensions
{
    extension(HubException failure)
    {
        /// <summary>The error string of the completion, verbatim (the official client makes it the message).</summary>
        public string ServerError => failure.Message;

        /// <summary>The Zaqar error the text carries, or null when it is another SignalR error.</summary>
        public ZaqarHubError? ZaqarError => ZaqarHubError.TryParse(failure.Message);
    }
}

/// <summary>
/// A Zaqar error as the hub reports it: REST's status, title and description, the JSON object after "HubException: ".
/// </summary>
public sealed record ZaqarHubError(int Status, string Title, string? Description)
{
    private const string Prefix = "HubException: ";

    /// <summary>Parses the Zaqar error out of a hub error string; null when the string carries none.</summary>
    public static ZaqarHubError? TryParse(string? error)
    {
        var at = error?.LastIndexOf(Prefix, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(error.AsMemory(at + Prefix.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Number ||
                !root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return new ZaqarHubError(status.GetInt32(), title.GetString()!, description);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Collects what the server pushes to one client through <c>Messages(queue, messages)</c>, in order.</summary>
internal sealed class PushRecorder : IDisposable
{
    private readonly Channel<(string Queue, PushedMessageView[] Messages)> _pushes =
        Channel.CreateUnbounded<(string, PushedMessageView[])>();
    private readonly IDisposable _registration;

    public PushRecorder(HubClient hub)
    {
        _registration = hub.On<string, PushedMessageView[]>("Messages", (queue, messages) => _pushes.Writer.TryWrite((queue, messages)));
    }

    /// <summary>The next push, waiting at most <see cref="HubTestKit.Timeout"/>.</summary>
    public async Task<(string Queue, PushedMessageView[] Messages)> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(HubTestKit.Timeout);
        return await _pushes.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next push's bodies as JSON text.</summary>
    public async Task<string[]> NextBodiesAsync() => (await NextAsync()).Messages.Select(m => m.Body.GetRawText()).ToArray();

    /// <summary>True when nothing was pushed that has not been read yet.</summary>
    public bool IsEmpty => !_pushes.Reader.TryPeek(out _);

    public void Dispose() => _registration.Dispose();
}
