using System.Net.WebSockets;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>How connections of Zaqar's websocket transport end (issue 13).</summary>
public sealed class SocketLifecycleTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AStoppingServerClosesItsConnectionsWith1001()
    {
        var service = KestrelService.Start(server);
        await using var client = await SocketTestClient.ConnectAsync(service.BaseUri, "ws-stop-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(200, (await client.CallAsync("queue_list")).Status());

        var stopping = service.DisposeAsync().AsTask();
        var (type, _) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.Socket.CloseStatus);
        Assert.Equal("The server is shutting down.", client.Socket.CloseStatusDescription);
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        await stopping.WaitAsync(SocketTestClient.Timeout, TestContext.Current.CancellationToken);
    }
}
