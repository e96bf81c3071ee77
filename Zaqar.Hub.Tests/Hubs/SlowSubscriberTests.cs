using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// A subscriber that stops reading its socket (real TCP, so its buffers fill) never blocks posters or other subscribers,
/// and once its push buffer overflows it is closed with the documented reason, which it reads when it reads again.
/// </summary>
public sealed class SlowSubscriberTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task AStalledSubscriberNeverBlocksPostersAndIsClosedPastItsPushBufferWithTheReason(HubWireProtocol protocol)
    {
        var overflowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var service = KestrelService.Start(
            server,
            new Dictionary<string, string?> { ["Hub:PushBufferMessages"] = "100000", ["Hub:PushBufferBytes"] = "262144" },
            services => services.AddSingleton<ILoggerProvider>(new LogEventSignal("PushOverflow", overflowed)));
        using var rest = service.NewProject();
        using var smallBuffers = SlowReaders.SmallReceiveBuffer();
        // The stalled one is a raw socket: a real client can't stop reading (issue 11).
        await using var stalled = await RawHubSocket.ConnectAsync(new Uri(service.BaseUri, HubPath(rest)), protocol, smallBuffers);
        await using var healthy = await service.ConnectHubAsync(protocol, HubPath(rest));
        using var healthyPushes = new PushRecorder(healthy);
        Assert.Null((await stalled.InvokeAsync("Subscribe", "firehose")).Error);
        await healthy.InvokeAsync("Subscribe", "firehose");

        stalled.PauseReading();
        var batch = new { messages = Enumerable.Repeat(new { body = new string('x', 16 * 1024) }, 10).ToArray() };
        var posts = 0;
        while (!overflowed.Task.IsCompleted)
        {
            Assert.True(++posts <= 300, "300 posts of 160 KB never overflowed the stalled subscriber's 256 KB push buffer");
            // Within: a poster waiting on the stalled subscriber would time out here.
            Assert.Equal(HttpStatusCode.Created, (await rest.PostAsync("/v2/queues/firehose/messages", batch).Within()).Status);
            Assert.Equal(10, (await healthyPushes.NextAsync()).Messages.Length);
        }
        // Issue 10: the subscriber stays stalled a while after the server gave up on it, longer than the server used to wait
        // for room for the Close message before dropping it; the reason must still reach it (within Hub:CloseTimeoutSeconds).
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        stalled.ResumeReading();

        var closed = await stalled.Closed.Within();
        Assert.True(closed.CloseMessageReceived, $"closed without a Close message: {closed}");
        Assert.StartsWith("Push buffer overflow", closed.Error, StringComparison.Ordinal);
        Assert.False(closed.AllowReconnect);
        await rest.PostMessagesAsync("firehose", "after");
        Assert.Equal(["\"after\""], await healthyPushes.NextBodiesAsync());
        Assert.True(await healthy.InvokeAsync<bool>("Ping"));
    }
}
