using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Sdk;
using Xunit.v3;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.SignalR.Client;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>Runs a theory once per hub protocol: json and messagepack.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothProtocolsAttribute : DataAttribute
{
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker) =>
        new([new TheoryDataRow<HubWireProtocol>(HubWireProtocol.Json), new TheoryDataRow<HubWireProtocol>(HubWireProtocol.MessagePack)]);

    public override bool SupportsDiscoveryEnumeration() => true;
}

/// <summary>Connecting hub clients to a test service, in memory or over a real socket, plus waits and JSON comparisons.</summary>
internal static class HubTestKit
{
    /// <summary>The longest any single wait in a hub test may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions _canonical = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The hub address of <paramref name="client"/>'s project and Client-ID (in the query, as browsers send it).</summary>
    public static string HubPath(ZaqarClient client, string? extraQuery = null) =>
        $"/hubs/queues?project_id={Uri.EscapeDataString(client.Project)}&client_id={client.ClientId}{extraQuery}";

    /// <summary>A hub client on the in-memory TestServer (WebSockets without a socket), as <paramref name="client"/>'s caller.</summary>
    public static Task<HubWireClient> ConnectHubAsync(
        this WebApplicationFactory<Program> factory, HubWireProtocol protocol, ZaqarClient client, string? extraQuery = null,
        Action<HubWireClientOptions>? configure = null) =>
        factory.ConnectHubAsync(protocol, HubPath(client, extraQuery), configure);

    /// <summary>A hub client on the in-memory TestServer, at <paramref name="pathAndQuery"/>.</summary>
    public static Task<HubWireClient> ConnectHubAsync(
        this WebApplicationFactory<Program> factory, HubWireProtocol protocol, string pathAndQuery,
        Action<HubWireClientOptions>? configure = null)
    {
        var server = factory.Server;
        var options = new HubWireClientOptions
        {
            Protocol = protocol,
            WebSocketFactory = (url, headers, ct) =>
            {
                var sockets = server.CreateWebSocketClient();
                sockets.ConfigureRequest = request =>
                {
                    foreach (var (name, value) in headers)
                    {
                        request.Headers[name] = value;
                    }
                };
                return sockets.ConnectAsync(url, ct);
            },
        };
        configure?.Invoke(options);
        if (options.Negotiate || options.UseStatefulReconnect)
        {
            // Negotiate is a plain HTTP request: in memory too. The handler holds nothing worth disposing.
            options.Http ??= new HttpMessageInvoker(server.CreateHandler());
        }
        var url = new Uri(new Uri("http://localhost"), pathAndQuery);
        return HubWireClient.ConnectAsync(url, options, TestContext.Current.CancellationToken);
    }

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Timeout"/>.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Timeout"/>.</summary>
    public static Task Within(this Task task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>Runs a hub call that must fail with a Zaqar error, and returns that error.</summary>
    public static async Task<ZaqarHubError> ZaqarErrorAsync(Func<Task> call)
    {
        var failure = await Assert.ThrowsAsync<HubInvocationException>(call);
        Assert.True(failure.ZaqarError is not null, "not a Zaqar error: " + failure.ServerError);
        return failure.ZaqarError;
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
        return copy?.ToJsonString(_canonical) ?? "null";
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

/// <summary>Collects what the server pushes to one client through <c>Messages(queue, messages)</c>, in order.</summary>
internal sealed class PushRecorder : IDisposable
{
    private readonly Channel<(string Queue, PushedMessageView[] Messages)> _pushes =
        Channel.CreateUnbounded<(string, PushedMessageView[])>();
    private readonly IDisposable _registration;

    public PushRecorder(HubWireClient hub)
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
