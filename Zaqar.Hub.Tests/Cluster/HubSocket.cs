using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// A hub client of a node on a real socket for these tests: the official .NET client (JSON protocol, WebSockets without
/// negotiation, as the JS client's skipNegotiation does), invocations, one stream, and the pushed <c>Messages</c>.
/// </summary>
public sealed class HubSocket : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private readonly HubConnection _connection;
    private readonly CancellationTokenSource _closing = new();

    private HubSocket(HubConnection connection)
    {
        _connection = connection;
        connection.On<string, JsonElement[]>("Messages", (queue, messages) =>
        {
            foreach (var message in messages)
            {
                Pushed.Writer.TryWrite((queue, message));
            }
        });
        connection.Closed += _ =>
        {
            Pushed.Writer.TryComplete();
            return Task.CompletedTask;
        };
    }

    /// <summary>Every message pushed to this connection, with its queue, in arrival order.</summary>
    public Channel<(string Queue, JsonElement Message)> Pushed { get; } = Channel.CreateUnbounded<(string, JsonElement)>();

    public static async Task<HubSocket> ConnectAsync(Uri server, string project, CancellationToken ct)
    {
        var url = new UriBuilder(server)
        {
            Path = "/hubs/queues",
            Query = $"project_id={Uri.EscapeDataString(project)}&client_id={Guid.NewGuid()}",
        }.Uri;
        var connection = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .Build();
        var hub = new HubSocket(connection);
        await connection.StartAsync(ct);
        return hub;
    }

    /// <summary>Calls a hub method and returns its result; a failed call throws the official client's HubException.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] args)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(CallTimeout);
        return await _connection.InvokeCoreAsync<JsonElement>(target, args, timeout.Token);
    }

    /// <summary>Starts a server-to-client stream; its items arrive in the returned channel.</summary>
    public async Task<ChannelReader<JsonElement>> StreamAsync(string target, params object?[] args) =>
        await _connection.StreamAsChannelCoreAsync<JsonElement>(target, args, _closing.Token);

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

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _connection.DisposeAsync();
        _closing.Dispose();
    }
}
