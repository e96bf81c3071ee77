using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Issue 14 item 4: a node's cross-node loops (publisher, listener, feed) run on threads of their own and block in
/// synchronous waits and round trips, so that a busy thread pool does not delay other nodes' posts. Such a thread must
/// still hear every announcement however long it waited, and end when its node stops.
/// </summary>
/// <remarks>
/// Not tested here: that a starved thread pool no longer delays the cross-node path. The pool is one per process and the
/// suite's tests run in parallel in this process, so starving it would slow or break tests of other classes; the bench's
/// fan-out over two nodes measures it instead.
/// </remarks>
public sealed class ClusterThreadTests(ZaqarTestServer server)
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ListenerThatWaitedThroughManyQuietSpellsStillHearsTheNextPostOnTheOtherNode()
    {
        await using var poster = ServiceNode.Start(server.CreateFactory());
        // Never polls: what reaches its subscriber came through the listener.
        await using var listening = ServiceNode.Start(server.CreateFactory(new Dictionary<string, string?>
        {
            ["Cluster:PollIntervalMilliseconds"] = "600000",
        }));
        var project = TwoNodeTests.NewProject();
        await using var subscriber = await listening.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "later");
        using var rest = poster.Rest(project);
        var first = await rest.PostMessagesAsync("later", "first");
        Assert.Equal(first, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));

        // Quiet for several of the listener's bounded waits, each of which ends without a notification.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var next = await rest.PostMessagesAsync("later", "after the quiet", "and one more");

        Assert.Equal(next, (await TwoNodeTests.ReceiveAsync(subscriber, 2)).Select(p => p.Id));
        await TwoNodeTests.AssertNothingMoreAsync(subscriber, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task NodeThatStopsEndsItsCrossNodeLoops()
    {
        var factory = server.CreateFactory();
        var node = ServiceNode.Start(factory);
        var project = TwoNodeTests.NewProject();
        await using (var subscriber = await node.HubAsync(project))
        {
            // Every loop has worked: the post is announced, and the feed watches the subscribed queue.
            await subscriber.InvokeAsync("Subscribe", "busy");
            using var rest = node.Rest(project);
            var ids = await rest.PostMessagesAsync("busy", 1);
            Assert.Equal(ids, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
        }
        var hosted = factory.Services.GetServices<IHostedService>().ToList();
        var loops = new BackgroundService[]
        {
            hosted.OfType<ClusterPublisher>().Single(), hosted.OfType<ClusterListener>().Single(), hosted.OfType<ClusterFeed>().Single(),
        };
        Assert.All(loops, loop => Assert.False(loop.ExecuteTask!.IsCompleted, $"{loop.GetType().Name} ended before its node stopped"));

        await node.DisposeAsync();

        // The host's stop waits for each loop or gives up after its shutdown timeout: a thread still blocked would show here.
        Assert.All(loops, loop => Assert.True(loop.ExecuteTask!.IsCompletedSuccessfully, $"{loop.GetType().Name}: {loop.ExecuteTask.Status}"));
    }
}
