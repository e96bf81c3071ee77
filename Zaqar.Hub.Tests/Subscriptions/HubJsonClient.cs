using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// The subscription hub tests' client: the official .NET client with the JSON protocol on the TestServer (WebSockets, no
/// negotiate), results and pushes as JSON nodes, and the Zaqar error of a failed call.
/// </summary>
public sealed class HubJsonClient : IAsyncDisposable
{
    private readonly HubClient _hub;
    private readonly Channel<(string Queue, JsonArray Messages)> _pushed = Channel.CreateUnbounded<(string, JsonArray)>();
    private readonly IDisposable _registration;

    private HubJsonClient(HubClient hub)
    {
        _hub = hub;
        _registration = hub.On<string, JsonArray>("Messages", (queue, messages) => _pushed.Writer.TryWrite((queue, messages)));
    }

    /// <summary>Connects as <paramref name="client"/>'s project and Client-ID (query string, as browsers must).</summary>
    public static async Task<HubJsonClient> ConnectAsync(WebApplicationFactory<Program> factory, ZaqarClient client) =>
        new(await factory.ConnectHubAsync(HubWireProtocol.Json, client));

    /// <summary>Invokes a hub method; returns its result, or throws the official client's <see cref="HubException"/>.</summary>
    public Task<JsonNode?> InvokeAsync(string method, params object?[] arguments) => _hub.InvokeAsync<JsonNode?>(method, arguments);

    /// <summary>The Zaqar error <c>{status, title, description}</c> a call failed with.</summary>
    public async Task<JsonNode> ErrorAsync(string method, params object?[] arguments)
    {
        var failure = await Assert.ThrowsAsync<HubException>(() => InvokeAsync(method, arguments));
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
        _registration.Dispose();
        await _hub.DisposeAsync();
    }
}
