using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Hubs;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zaqar.Serialization;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>A hub used over a raw WebSocket, speaking the bytes the JS client sends.</summary>
public sealed class EchoHub : Microsoft.AspNetCore.SignalR.Hub
{
    public string Echo(string text) => text;

    public Lease Renew(Lease lease) => lease with { Count = lease.Count + 1 };
}

/// <summary>
/// Runs the official protocol with the server's options inside SignalR's real connection handler (TestServer, WebSockets, no
/// negotiate), fed the bytes the JS client sends.
/// </summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private WebApplication? _app;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR().AddZaqarMessagePackProtocol(ZaqarMessagePack.ServerOptions);
        // As the server does: the official protocol wrapped so that a frame of an unknown type is skipped (issue 11).
        var official = builder.Services.Single(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType == typeof(MessagePackHubProtocol));
        builder.Services.Remove(official);
        builder.Services.AddSingleton<IHubProtocol>(sp => new HubErrorTextProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(sp, official.ImplementationType!)));
        _app = builder.Build();
        _app.MapHub<EchoHub>("/hub");
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task JsEchoInvocationGetsItsResultInTheDocumentedFrame(int version)
    {
        using var socket = await ConnectAsync(version);

        await SendAsync(socket, Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69"));

        Assert.Equal("09 95 03 80 a1 30 03 a2 68 69", ToHex(await ReceiveAsync(socket)));
    }

    [Fact]
    public async Task RecordArgumentWithLiberalKeysBindsAndComesBackWithJsonProtocolNames()
    {
        using var socket = await ConnectAsync(1);
        var lease = new MsgPackBuilder().Map(2).Str("Queue").Str("q").Str("count").Int(1).ToArray();

        await SendAsync(socket, new MsgPackBuilder().Array(5).Int(1).Map(0).Str("1").Str("Renew").Array(1).Raw(lease).ToFrame());

        var expected = new MsgPackBuilder().Array(5).Int(3).Map(0).Str("1").Int(3).Map(3)
            .Str("queue").Str("q").Str("count").Int(2).Str("note").Nil().ToFrame();
        Assert.Equal(ToHex(expected), ToHex(await ReceiveAsync(socket)));
    }

    [Fact]
    public async Task BindingFailureComesBackAsAnErrorCompletion()
    {
        using var socket = await ConnectAsync(1);

        await SendAsync(socket, new MsgPackBuilder().Array(5).Int(1).Map(0).Str("5").Str("Echo").Array(1).Int(5).ToFrame());

        var reply = await ReceiveAsync(socket);
        Assert.Equal(Hex("95 03 80 a1 35 01"), reply[1..7]);
        Assert.Contains("Failed to invoke 'Echo'", Encoding.UTF8.GetString(reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedArgumentIsAnErrorCompletionAndTheConnectionServesOn()
    {
        using var socket = await ConnectAsync(1);
        await SendAsync(socket, MsgPackBuilder.Frame(Hex("95 01 80 a1 39 a4 45 63 68 6f 91 c1")));

        var reply = await ReceiveAsync(socket);
        Assert.Equal(Hex("95 03 80 a1 39 01"), reply[1..7]); // an error completion of invocation "9"
        await SendAsync(socket, Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69"));
        Assert.Equal("09 95 03 80 a1 30 03 a2 68 69", ToHex(await ReceiveAsync(socket)));
    }

    [Fact]
    public async Task AMalformedEnvelopeClosesOnlyThatConnection()
    {
        using var bad = await ConnectAsync(1);
        await SendAsync(bad, MsgPackBuilder.Frame(Hex("95 01 a0 c0 a1 4d 90")));

        Assert.Equal(0x07, (await ReceiveAsync(bad))[2]); // a Close message: [7, error, allowReconnect]

        using var good = await ConnectAsync(1);
        await SendAsync(good, Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69"));
        Assert.Equal("09 95 03 80 a1 30 03 a2 68 69", ToHex(await ReceiveAsync(good)));
    }

    [Fact]
    public async Task AFrameOfAnUnknownMessageTypeIsSkippedAndTheInvocationAfterItRuns()
    {
        using var socket = await ConnectAsync(1);
        var unknown = new MsgPackBuilder().Array(2).Int(42).Str("future").ToFrame();

        await SendAsync(socket, [.. unknown, .. Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69")]);

        Assert.Equal("09 95 03 80 a1 30 03 a2 68 69", ToHex(await ReceiveAsync(socket)));
    }

    private async Task<WebSocket> ConnectAsync(int version)
    {
        var client = _app!.GetTestServer().CreateWebSocketClient();
        using var timeout = new CancellationTokenSource(Timeout);
        var socket = await client.ConnectAsync(new Uri("ws://localhost/hub"), timeout.Token);
        var handshake = Encoding.UTF8.GetBytes($"{{\"protocol\":\"messagepack\",\"version\":{version}}}\u001e");
        await socket.SendAsync(handshake, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);

        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(await ReceiveAsync(socket)));
        return socket;
    }

    private static async Task SendAsync(WebSocket socket, byte[] frame)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
    }

    private static async Task<byte[]> ReceiveAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[64 * 1024];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        return buffer[..length];
    }
}
