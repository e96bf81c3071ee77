using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.SignalR.Client;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// HubWireClient against a scripted server on a loopback socket, for what a real hub rarely does on its own: messages
/// packed with the handshake, messages split across WebSocket frames and messages, pings, a Close with an error.
/// </summary>
public sealed class HubWireClientTests
{
    [Theory, BothProtocols]
    public async Task AMessageSentWithTheHandshakeResponseReachesAHandlerRegisteredBeforeStart(HubWireProtocol protocol)
    {
        await using var server = new ScriptedServer();
        var client = server.CreateClient(protocol);
        var greeted = new TaskCompletionSource<string>();
        client.On<string>("Greet", text => Task.FromResult(greeted.TrySetResult(text)));
        var started = client.StartAsync(TestContext.Current.CancellationToken);

        await server.AcceptAsync(client.Protocol);
        await server.SendAsync([.. Encoding.UTF8.GetBytes("{}\u001e"), .. client.Encode(new InvocationMessage("Greet", ["hello"])).Span]);

        await started.Within();
        Assert.Equal("hello", await greeted.Task.Within());
    }

    [Theory, BothProtocols]
    public async Task CompletionsSplitAcrossFramesAndPackedTogetherAreAllRead(HubWireProtocol protocol)
    {
        await using var server = new ScriptedServer();
        var client = await server.ConnectAsync(protocol);
        var first = client.InvokeAsync<string>("Echo", "one");
        var second = client.InvokeAsync<string>("Echo", "two");
        var third = client.InvokeAsync<long>("Count");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(((HubMethodInvocationMessage)await server.ReceiveAsync()).InvocationId!);
        }

        var one = client.Encode(CompletionMessage.WithResult(ids[0], "one"));
        await server.SendAsync(one[..2], one[2..5], one[5..]);                     // one message, three frames
        var two = client.Encode(CompletionMessage.WithResult(ids[1], "two"));
        var three = client.Encode(CompletionMessage.WithResult(ids[2], 9_007_199_254_740_993L));
        await server.SendAsync([.. two.Span, .. three[..4].Span]);                // one and a bit: the rest comes next
        await server.SendAsync(three[4..]);

        Assert.Equal(("one", "two", 9_007_199_254_740_993L), (await first.Within(), await second.Within(), await third.Within()));
    }

    [Theory, BothProtocols]
    public async Task PingsAreAnsweredAndAnErrorCompletionCarriesTheServersText(HubWireProtocol protocol)
    {
        await using var server = new ScriptedServer();
        var client = await server.ConnectAsync(protocol);
        var call = client.InvokeAsync("Fail");
        var id = ((HubMethodInvocationMessage)await server.ReceiveAsync()).InvocationId!;

        await server.SendAsync(client.Encode(PingMessage.Instance));
        Assert.IsType<PingMessage>(await server.ReceiveAsync());
        const string error = """Oops HubException: {"status":409,"title":"Resource conflict"}""";
        await server.SendAsync(client.Encode(CompletionMessage.WithError(id, error)));

        var failure = await Assert.ThrowsAsync<HubInvocationException>(() => call.Within());
        Assert.Equal(new ZaqarHubError(409, "Resource conflict", null), failure.ZaqarError);
    }

    [Theory, BothProtocols]
    public async Task AStreamYieldsItsItemsAndDisposingItEarlySendsCancelInvocation(HubWireProtocol protocol)
    {
        await using var server = new ScriptedServer();
        var client = await server.ConnectAsync(protocol);
        var items = client.StreamAsync<int>("Numbers", 3).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var next = items.MoveNextAsync().AsTask();
        var id = ((StreamInvocationMessage)await server.ReceiveAsync()).InvocationId!;

        await server.SendAsync(client.Encode(new StreamItemMessage(id, 1)));
        Assert.True(await next.Within());
        Assert.Equal(1, items.Current);
        var disposed = items.DisposeAsync().AsTask();
        Assert.Equal(id, ((CancelInvocationMessage)await server.ReceiveAsync()).InvocationId);
        await server.SendAsync(client.Encode(CompletionMessage.Empty(id)));

        await disposed.Within();
    }

    [Theory, BothProtocols]
    public async Task AServersCloseMessageIsTheCloseReasonAndFailsPendingCalls(HubWireProtocol protocol)
    {
        await using var server = new ScriptedServer();
        var client = await server.ConnectAsync(protocol);
        var pending = client.InvokeAsync("Never");
        await server.ReceiveAsync();

        await server.SendAsync(client.Encode(new CloseMessage("Server is going away.", allowReconnect: true)));

        var reason = await client.Closed.Within();
        Assert.Equal(("Server is going away.", true, true), (reason.Error, reason.CloseMessageReceived, reason.AllowReconnect));
        var failure = await Assert.ThrowsAsync<HubConnectionClosedException>(() => pending.Within());
        Assert.Equal(reason, failure.Reason);
    }

    /// <summary>
    /// One WebSocket connection from the client under test, accepted on a loopback socket and driven by the test. Disposing
    /// it drops the socket first, then disposes the client (which then has no close handshake to wait for).
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<byte> _inbox = [];
        private readonly ServerBinder _binder = new();
        private IHubProtocol? _protocol;
        private WebSocket? _socket;
        private HubWireClient? _client;

        public ScriptedServer() => _listener.Start();

        public HubWireClient CreateClient(HubWireProtocol protocol) => _client = new(new Uri("ws://scripted/hub"), new HubWireClientOptions
        {
            Protocol = protocol,
            WebSocketFactory = async (_, _, ct) =>
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync((IPEndPoint)_listener.LocalEndpoint, ct);
                return WebSocket.CreateFromStream(tcp.GetStream(), isServer: false, subProtocol: null, Timeout.InfiniteTimeSpan);
            },
        });

        public async Task<HubWireClient> ConnectAsync(HubWireProtocol protocol)
        {
            var client = CreateClient(protocol);
            var started = client.StartAsync(TestContext.Current.CancellationToken);
            await AcceptAsync(client.Protocol);
            await SendAsync(Encoding.UTF8.GetBytes("{}\u001e"));
            await started.Within();
            return client;
        }

        /// <summary>Accepts the client's socket and reads its handshake request (which must name the protocol).</summary>
        public async Task AcceptAsync(IHubProtocol protocol)
        {
            _protocol = protocol;
            var tcp = await _listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken).AsTask().Within();
            _socket = WebSocket.CreateFromStream(tcp.GetStream(), isServer: true, subProtocol: null, Timeout.InfiniteTimeSpan);
            while (!_inbox.Contains(0x1e))
            {
                await ReceiveChunkAsync();
            }
            var handshake = Encoding.UTF8.GetString([.. _inbox[.._inbox.IndexOf(0x1e)]]);
            _inbox.RemoveRange(0, _inbox.IndexOf(0x1e) + 1);
            Assert.Contains($"\"protocol\":\"{protocol.Name}\"", handshake, StringComparison.Ordinal);
        }

        /// <summary>Sends <paramref name="fragments"/> as the frames of one WebSocket message.</summary>
        public async Task SendAsync(params ReadOnlyMemory<byte>[] fragments)
        {
            for (var i = 0; i < fragments.Length; i++)
            {
                var last = i == fragments.Length - 1;
                await _socket!.SendAsync(fragments[i], WebSocketMessageType.Binary, last, TestContext.Current.CancellationToken);
            }
        }

        public async Task SendAsync(byte[] message) => await SendAsync((ReadOnlyMemory<byte>)message);

        /// <summary>The next message the client sent.</summary>
        public async Task<HubMessage> ReceiveAsync()
        {
            while (true)
            {
                var input = new ReadOnlySequence<byte>(_inbox.ToArray());
                if (_protocol!.TryParseMessage(ref input, _binder, out var message))
                {
                    _inbox.RemoveRange(0, _inbox.Count - (int)input.Length);
                    return message;
                }
                await ReceiveChunkAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _socket?.Abort();
            _socket?.Dispose();
            _listener.Stop();
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }

        private async Task ReceiveChunkAsync()
        {
            var buffer = new byte[4096];
            var result = await _socket!.ReceiveAsync(buffer.AsMemory(), TestContext.Current.CancellationToken).AsTask().Within();
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            _inbox.AddRange(buffer.AsSpan(0, result.Count));
        }
    }

    /// <summary>The scripted server's view of the client's calls: every argument is a string or an int.</summary>
    private sealed class ServerBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName switch
        {
            "Echo" => [typeof(string)],
            "Numbers" => [typeof(int)],
            _ => [],
        };

        public Type GetReturnType(string invocationId) => throw new HubException("The scripted server invokes nothing.");

        public Type GetStreamItemType(string streamId) => throw new HubException("The scripted server takes no streams.");
    }
}
