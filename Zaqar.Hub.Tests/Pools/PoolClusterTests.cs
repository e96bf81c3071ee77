using System.Diagnostics;
using System.Net;
using Npgsql;
using Zaqar.Hub.Tests.Cluster;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// Background work covers every pool (issue #6): posts on a pool are announced on that pool's database, where every
/// node listens (pools added at runtime included), and the notification dispatcher delivers every pool's outbox.
/// </summary>
public sealed class PoolClusterTests(ZaqarTestServer server)
{
    [Fact]
    public async Task PostsOnAPoolReachSubscribersOnOtherNodesByNotificationAlsoOnAPoolAddedLater()
    {
        // No polling: whatever reaches the subscriber came through the pool's channel.
        await using var d = await PooledDeployment.StartAsync(server, new Dictionary<string, string?> { ["Cluster:PollIntervalMilliseconds"] = "600000" });
        await d.AddPoolAsync("first", weight: 1);
        var a = ServiceNode.Start(d.AddNode());
        var b = ServiceNode.Start(d.AddNode());
        await WaitForListenersAsync(d.Pools["first"], 3);
        var project = TwoNodeTests.NewProject();
        using var restA = a.Rest(project);
        await using var subscriber = await b.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "orders");

        var posted = await restA.PostMessagesAsync("orders", "on the first pool");

        Assert.Equal("first", await d.CatalogueAsync(project, "orders"));
        Assert.Equal(posted, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));

        // A pool added at runtime: every node starts listening on it without a restart.
        await d.AddPoolAsync("second", weight: 1);
        using (var admin = d.Admin())
        {
            await admin.PutAsync("/v2/flavors/second", new { pool_list = new[] { "second" } });
        }
        await WaitForListenersAsync(d.Pools["second"], 3);
        await restA.CreateQueueAsync("late", new { _flavor = "second" });
        await subscriber.InvokeAsync("Subscribe", "late");

        var late = await restA.PostMessagesAsync("late", "on the second pool");

        Assert.Equal(late, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Pools["second"], project, "late"));
    }

    [Fact]
    public async Task ASubscriberFollowsAQueueCreatedAgainOnAnotherPoolWhoseRowIdIsTheSame()
    {
        await using var d = await PooledDeployment.StartAsync(server, new Dictionary<string, string?> { ["Cluster:PollIntervalMilliseconds"] = "600000" });
        await d.AddPoolAsync("x", weight: 1);
        await d.AddPoolAsync("y", weight: 1);
        using (var admin = d.Admin())
        {
            await admin.PutAsync("/v2/flavors/x", new { pool_list = new[] { "x" } });
            await admin.PutAsync("/v2/flavors/y", new { pool_list = new[] { "y" } });
        }
        var a = ServiceNode.Start(d.AddNode());
        var b = ServiceNode.Start(d.AddNode());
        await WaitForListenersAsync(d.Pools["y"], 3);
        var project = TwoNodeTests.NewProject();
        using var restA = a.Rest(project);
        await restA.CreateQueueAsync("q", new { _flavor = "x" });
        await using var subscriber = await b.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "q");
        var first = await restA.PostMessagesAsync("q", 1, 2, 3);
        Assert.Equal(first, (await TwoNodeTests.ReceiveAsync(subscriber, 3)).Select(p => p.Id));

        // The first queue of each pool database: the same row id in both, and its positions start again at 1.
        var oldId = await PooledDeployment.ScalarAsync<long>(d.Pools["x"], "SELECT id FROM queues WHERE name = 'q'");
        Assert.Equal(HttpStatusCode.NoContent, (await restA.DeleteAsync("/v2/queues/q")).Status);
        await restA.CreateQueueAsync("q", new { _flavor = "y" });
        Assert.Equal(oldId, await PooledDeployment.ScalarAsync<long>(d.Pools["y"], "SELECT id FROM queues WHERE name = 'q'"));
        var second = await restA.PostMessagesAsync("q", "again");

        Assert.Equal(second, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
    }

    [Fact]
    public async Task TheDispatcherDeliversTheOutboxOfEveryPoolAlsoOfAPoolAddedLater()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var d = await PooledDeployment.StartAsync(server, new Dictionary<string, string?> { ["Notifications:DispatcherEnabled"] = "true" });
        await d.AddPoolAsync("one", weight: 1);
        using var tenant = d.NewProject();
        await tenant.SubscribeAsync("first", new { subscriber = receiver.Url("/first") });
        await tenant.PostMessagesAsync("first", "from pool one");
        await receiver.WaitForAsync(1);

        await d.AddPoolAsync("two", weight: 1);
        using (var admin = d.Admin())
        {
            await admin.PutAsync("/v2/flavors/two", new { pool_list = new[] { "two" } });
        }
        await tenant.CreateQueueAsync("second", new { _flavor = "two" });
        await tenant.SubscribeAsync("second", new { subscriber = receiver.Url("/second") });
        await tenant.PostMessagesAsync("second", "from pool two");

        var requests = await receiver.WaitForAsync(2);
        Assert.Equal(["/first", "/second"], requests.Select(r => r.Path));
        Assert.Equal("from pool two", requests[1].Json["body"]!.GetValue<string>());
        Assert.Equal("two", await d.CatalogueAsync(tenant.Project, "second"));
        // Delivered rows leave their pool's outbox.
        await DeliveryWaits.UntilAsync(
            () => PooledDeployment.ScalarAsync<long>(d.Pools["two"], "SELECT count(*) FROM notifications"), n => n == 0, 10, "the outbox to empty");
    }

    /// <summary>Waits until exactly <paramref name="count"/> nodes listen on the database <paramref name="connectionString"/> names.</summary>
    private static async Task WaitForListenersAsync(string connectionString, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using (var conn = new NpgsqlConnection(connectionString + ";Pooling=false"))
            {
                await conn.OpenAsync(TestContext.Current.CancellationToken);
                await using var cmd = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'zaqarhub-listen' AND datname = current_database()", conn);
                if ((long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == count)
                {
                    return;
                }
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the listeners did not connect");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
