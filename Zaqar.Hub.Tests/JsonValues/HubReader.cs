using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Every hub call issue 10's tests make, in one place (so a new hub client is ported here once): one connection of a
/// project with one protocol, posting, reading bodies back as JSON text, and the pushes it receives, per queue.
/// </summary>
internal sealed class HubReader : IAsyncDisposable
{
    private readonly HubClient _hub;
    private readonly ConcurrentDictionary<string, Channel<PushedMessageView[]>> _pushes = new();
    private readonly IDisposable _registration;

    private HubReader(HubClient hub, HubWireProtocol protocol)
    {
        _hub = hub;
        Protocol = protocol;
        _registration = hub.On<string, PushedMessageView[]>("Messages", (queue, messages) => Pushes(queue).Writer.TryWrite(messages));
    }

    public HubWireProtocol Protocol { get; }

    public static async Task<HubReader> ConnectAsync(WebApplicationFactory<Program> factory, HubWireProtocol protocol, ZaqarClient client) =>
        new(await factory.ConnectHubAsync(protocol, client), protocol);

    /// <summary>Posts bodies (given as JSON text); the ids in order.</summary>
    public async Task<IReadOnlyList<string>> PostAsync(string queue, params string[] bodies) =>
        (await _hub.InvokeAsync<PostedView>("PostMessages", queue, bodies.Select(b => new MessageArgs(Element(b))).ToArray()).Within()).MessageIds;

    /// <summary>A hub call that must fail with a Zaqar error; that error.</summary>
    public Task<ZaqarHubError> ErrorAsync(string method, params object?[] args) =>
        HubTestKit.ZaqarErrorAsync(() => _hub.InvokeAsync(method, args).Within());

    /// <summary>Any hub call, for its result.</summary>
    public Task<T> InvokeAsync<T>(string method, params object?[] args) => _hub.InvokeAsync<T>(method, args).Within();

    public async Task<string[]> ListBodiesAsync(string queue) =>
        Bodies((await InvokeAsync<MessagePageView>("ListMessages", queue, new ListMessagesArgs(Echo: true, Limit: 20))).Messages.Select(m => m.Body));

    public async Task<string> GetBodyAsync(string queue, string id) =>
        (await InvokeAsync<MessageView>("GetMessage", queue, id)).Body.GetRawText();

    public async Task<JsonNode?> GetQueueAsync(string queue) => JsonNode.Parse((await InvokeAsync<JsonElement>("GetQueue", queue)).GetRawText());

    /// <summary>Starts the consume stream, takes <paramref name="count"/> messages' bodies, and ends it.</summary>
    public async Task<string[]> ConsumeBodiesAsync(string queue, int count)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(HubTestKit.Timeout);
        var bodies = new List<string>();
        await foreach (var item in _hub.StreamCoreAsync<ConsumedMessageView>("Consume", [queue, new ConsumeArgs(Ttl: 60, Batch: count)], stop.Token))
        {
            bodies.Add(item.Body.GetRawText());
            if (bodies.Count == count)
            {
                break;
            }
        }
        return [.. bodies];
    }

    public Task SubscribeAsync(string queue) => _hub.InvokeAsync("Subscribe", queue).Within();

    /// <summary>The bodies of the next push of <paramref name="queue"/>'s messages.</summary>
    public async Task<string[]> NextPushAsync(string queue)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(HubTestKit.Timeout);
        return Bodies((await Pushes(queue).Reader.ReadAsync(timeout.Token)).Select(m => m.Body));
    }

    /// <summary>True while the connection is open (a closed one fails the ping).</summary>
    public async Task<bool> IsOpenAsync() => !_hub.Closed.IsCompleted && await InvokeAsync<bool>("Ping");

    public async ValueTask DisposeAsync()
    {
        _registration.Dispose();
        await _hub.DisposeAsync();
    }

    /// <summary>A JSON value as the hub binds one: a document parsed as it is, duplicate keys and escapes kept.</summary>
    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.Clone();
    }

    private static string[] Bodies(IEnumerable<JsonElement> bodies) => bodies.Select(b => b.GetRawText()).ToArray();

    private Channel<PushedMessageView[]> Pushes(string queue) => _pushes.GetOrAdd(queue, _ => Channel.CreateUnbounded<PushedMessageView[]>());
}
