using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Zaqar.Client;

/// <summary>The hub protocol a <see cref="ZaqarHubClient"/> speaks.</summary>
public enum ZaqarProtocol
{
    /// <summary>SignalR's "json" protocol: text, every transport.</summary>
    Json,

    /// <summary>SignalR's "messagepack" protocol with Zaqar's formatters: binary and smaller; WebSockets and long polling.</summary>
    MessagePack,
}

/// <summary>How a <see cref="ZaqarHubClient"/> connects and what it is.</summary>
/// <remarks>Read when the client is created; later changes have no effect.</remarks>
public sealed class ZaqarHubClientOptions
{
    /// <summary>The service's address (http(s)://host:port); the hub is at /hubs/queues below it.</summary>
    public required Uri Url { get; set; }

    /// <summary>The project (tenant) every call is scoped to; sent as <c>project_id</c> (not needed with a token that names one).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The client's id (a UUID), Zaqar's Client-ID; a new one when not set.</summary>
    public Guid ClientId { get; set; } = Guid.NewGuid();

    /// <summary>A bearer token (Auth:Mode jwt), asked for on every connect and reconnect.</summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>The hub protocol; MessagePack by default.</summary>
    public ZaqarProtocol Protocol { get; set; } = ZaqarProtocol.MessagePack;

    /// <summary>The transports to try, in SignalR's order (WebSockets, Server-Sent Events with JSON only, long polling).</summary>
    public HttpTransportType Transports { get; set; } = HttpTransportType.WebSockets | HttpTransportType.LongPolling | HttpTransportType.ServerSentEvents;

    /// <summary>
    /// The waits between reconnect attempts after the connection is lost; the client gives up after the last one. The
    /// connection's push subscriptions are made again once it is back.
    /// </summary>
    public IReadOnlyList<TimeSpan> ReconnectDelays { get; set; } =
        [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    /// <summary>How typed bodies (<see cref="NewMessage.From{T}"/>, <c>BodyAs&lt;T&gt;</c>) are written and read: web defaults.</summary>
    public JsonSerializerOptions BodySerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Anything else of the HTTP connection (handlers, headers, WebSocket factory, credentials).</summary>
    public Action<HttpConnectionOptions>? ConfigureHttp { get; set; }
}
