using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// A websocket subscriber that stops reading (real TCP, so its buffers fill) never blocks posters or other subscribers, and
/// once its push buffer overflows it is closed with the reason (issue 13, as the hub does).
/// </summary>
public sealed class SocketSlowSubscriberTests(ZaqarTestServer server)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStalledSubscriberNeverBlocksPostersAndIsClosedPastItsPushBufferWithTheReason(bool binary)
    {
        var overflowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var service = KestrelService.Start(
            server,
            new Dictionary<string, string?> { ["WebSocket:PushBufferMessages"] = "100000", ["WebSocket:PushBufferBytes"] = "262144" },
            services => services.AddSingleton<ILoggerProvider>(new LogEventSignal("PushOverflow", overflowed)));
        using var rest = service.NewProject();
        using var smallBuffers = SlowReaders.SmallReceiveBuffer();
        await using var stalled = await SocketTestClient.ConnectAsync(service.BaseUri, rest.Project, smallBuffers);
        await using var healthy = await SocketTestClient.ConnectAsync(service.BaseUri, rest.Project);
        Assert.Equal(201, (await stalled.CallAsync("subscription_create", new { queue_name = "firehose" }, binary)).Status());
        Assert.Equal(201, (await healthy.CallAsync("subscription_create", new { queue_name = "firehose" }, binary)).Status());

        var batch = new { messages = Enumerable.Repeat(new { body = new string('x', 16 * 1024) }, 10).ToArray() };
        var posts = 0;
        while (!overflowed.Task.IsCompleted)
        {
            Assert.True(++posts <= 300, "300 posts of 160 KB never overflowed the stalled subscriber's 256 KB push buffer");
            // A poster waiting on the stalled subscriber would time out here.
            var posted = await rest.PostAsync("/v2/queues/firehose/messages", batch).WaitAsync(SocketTestClient.Timeout, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, posted.Status);
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(16 * 1024, (await healthy.ReceiveJsonAsync(binary))["body"]!.GetValue<string>().Length);
            }
        }

        // Reading again, the stalled subscriber finds what had reached its socket, then the close with the reason.
        var pushes = 0;
        while (true)
        {
            var (type, _) = await stalled.ReceiveAsync();
            if (type == WebSocketMessageType.Close)
            {
                break;
            }
            pushes++;
        }
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, stalled.Socket.CloseStatus);
        Assert.StartsWith("Push buffer overflow", stalled.Socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.True(pushes < posts * 10, $"{pushes} of {posts * 10} pushes reached the stalled subscriber: nothing was dropped");

        await rest.PostMessagesAsync("firehose", "after");
        Assert.Equal("after", (await healthy.ReceiveJsonAsync(binary))["body"]!.GetValue<string>());
        Assert.Equal(200, (await healthy.CallAsync("queue_list", binary: binary)).Status());
    }
}
