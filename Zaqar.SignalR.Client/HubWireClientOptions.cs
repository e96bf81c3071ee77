using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Zaqar.SignalR.Protocols.MessagePack;

namespace Zaqar.SignalR.Client;

/// <summary>The hub protocols <see cref="HubWireClient"/> speaks out of the box.</summary>
public enum HubWireProtocol
{
    /// <summary>SignalR's "json" protocol (text frames, messages end with 0x1E).</summary>
    Json,

    /// <summary>SignalR's "messagepack" protocol (binary frames, VarInt length prefixes), through our own implementation.</summary>
    MessagePack,
}

/// <summary>How a <see cref="HubWireClient"/> connects: protocol, version, identity headers, transport hooks and timeouts.</summary>
/// <remarks>Read by the <see cref="HubWireClient"/> constructor and its StartAsync; change it before, not during, a connection.</remarks>
public sealed class HubWireClientOptions
{
    /// <summary>The protocol to ask for in the handshake. Ignored when <see cref="HubProtocol"/> is set.</summary>
    public HubWireProtocol Protocol { get; set; } = HubWireProtocol.Json;

    /// <summary>A protocol instance to use instead of the default one for <see cref="Protocol"/> (e.g. other serializer options).</summary>
    public IHubProtocol? HubProtocol { get; set; }

    /// <summary>The protocol version sent in the handshake: 1, or 2 (stateful reconnect).</summary>
    public int Version { get; set; } = 1;

    /// <summary>
    /// Negotiate first (POST <c>{hub}/negotiate?negotiateVersion=1</c>) and connect with its connection token. Without it the
    /// client connects the WebSocket directly, which SignalR allows for WebSockets.
    /// </summary>
    public bool Negotiate { get; set; }

    /// <summary>Ask negotiate for stateful reconnect (the server then buffers and expects Acks); implies <see cref="Negotiate"/>.</summary>
    public bool UseStatefulReconnect { get; set; }

    /// <summary>Request headers of negotiate and of the WebSocket upgrade (e.g. X-Project-ID, Client-ID).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The HTTP stack for negotiate and, unless <see cref="WebSocketFactory"/> is set, for the WebSocket upgrade
    /// (<c>ClientWebSocket.ConnectAsync(uri, invoker, ct)</c>). Not disposed by the client. Null: a private HttpClient.
    /// </summary>
    public HttpMessageInvoker? Http { get; set; }

    /// <summary>
    /// Opens the WebSocket instead of <see cref="ClientWebSocket"/>, given the ws:// address and the headers to send
    /// (e.g. <c>TestServer.CreateWebSocketClient()</c> for in-memory tests).
    /// </summary>
    public Func<Uri, IReadOnlyDictionary<string, string>, CancellationToken, Task<WebSocket>>? WebSocketFactory { get; set; }

    /// <summary>How long connect (negotiate, upgrade and handshake) may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long <see cref="HubWireClient.InvokeAsync{T}"/> waits for a completion before it throws <see cref="TimeoutException"/>.
    /// </summary>
    public TimeSpan InvocationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where handler failures and ignored messages are logged; null logs nothing.</summary>
    public ILogger? Logger { get; set; }

    internal IHubProtocol CreateProtocol() => HubProtocol ?? Protocol switch
    {
        HubWireProtocol.Json => new JsonHubProtocol(),
        HubWireProtocol.MessagePack => new MessagePackHubProtocol(),
        _ => throw new ArgumentOutOfRangeException(nameof(Protocol), Protocol, "Unknown protocol."),
    };
}
