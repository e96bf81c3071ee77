using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Background;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// Pools change while the service runs (issue #6): a pool added at runtime is migrated and used at once, by every node,
/// background work included; several nodes share the catalogue without a stale cache ever writing to the wrong pool.
/// </summary>
public sealed class PoolRuntimeTests(ZaqarTestServer server)
{
    [Fact]
    public async Task APoolAddedAtRuntimeIsMigratedAndTakesNewQueuesAtOnce()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        using var tenant = d.NewProject();
        await tenant.PostMessagesAsync("before", 1);
        var fresh = await PooledDeployment.CreateDatabaseAsync(server, "zfresh");
        Assert.Equal(0L, await PooledDeployment.ScalarAsync<long>(fresh, "SELECT count(*) FROM pg_tables WHERE tablename = 'messages'"));

        await d.AddPoolAsync("fresh", weight: 1);
        await tenant.PostMessagesAsync("after", 1);

        var applied = await PooledDeployment.ScalarAsync<long>(d.Pools["fresh"], "SELECT count(*) FROM __ef_migrations_history");
        var expected = await PooledDeployment.ScalarAsync<long>(d.Primary, "SELECT count(*) FROM __ef_migrations_history");
        Assert.Equal(expected, applied);
        Assert.Equal("(primary)", await d.CatalogueAsync(tenant.Project, "before"));
        Assert.Equal("fresh", await d.CatalogueAsync(tenant.Project, "after"));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Pools["fresh"], tenant.Project, "after"));
    }

    [Fact]
    public async Task AnotherNodeUsesAPoolAddedOnTheFirstWithoutARestart()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        var other = d.AddNode();
        using var onOther = d.NewProject(other);
        await onOther.PostMessagesAsync("warm", 1); // The other node has read the (empty) pool list.

        await d.AddPoolAsync("added", weight: 1);

        // The other node hears of the pool by NOTIFY; a new queue it places lands there.
        var placed = await DeliveryWaits.UntilAsync(async () =>
        {
            var queue = "q" + Guid.NewGuid().ToString("N")[..6];
            await onOther.PostMessagesAsync(queue, 1);
            return await d.CatalogueAsync(onOther.Project, queue);
        }, pool => pool == "added", timeoutSeconds: 10, "the other node to place a queue on the new pool");
        Assert.Equal("added", placed);
    }

    [Fact]
    public async Task TheExpirySweeperCoversEveryPool()
    {
        var clock = new ManualClock();
        await using var d = await PooledDeployment.StartAsync(server);
        var sweeping = d.AddNode(clock: clock);
        await d.AddPoolAsync("swept", weight: 1);
        using var tenant = d.NewProject(sweeping);
        var posted = await tenant.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = 1, ttl = 60 } } });
        Assert.Equal(HttpStatusCode.Created, posted.Status);
        Assert.Equal("swept", await d.CatalogueAsync(tenant.Project, "q"));

        clock.Advance(TimeSpan.FromSeconds(61));
        var (messages, _) = await sweeping.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, messages);
        Assert.Equal(0L, await PooledDeployment.ScalarAsync<long>(d.Pools["swept"], "SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task AStaleCachedRouteNeverWritesToTheQueuesOldPool()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("old", weight: 1);
        await d.AddPoolAsync("new", weight: 1);
        using (var admin = d.Admin())
        {
            await admin.PutAsync("/v2/flavors/old", new { pool_list = new[] { "old" } });
            await admin.PutAsync("/v2/flavors/new", new { pool_list = new[] { "new" } });
        }
        // This node hears no catalog changes (another channel): its cached routes go stale for their whole lifetime.
        var deaf = d.AddNode(new Dictionary<string, string?> { ["Pools:Channel"] = "some_other_channel", ["Pools:CatalogCacheSeconds"] = "3600" });
        using var onDeaf = d.NewProject(deaf);
        using var onFirst = new ZaqarClient(d.Factory.CreateClient(), onDeaf.Project, Guid.NewGuid().ToString());
        await onFirst.CreateQueueAsync("q", new { _flavor = "old" });
        await onDeaf.PostMessagesAsync("q", "first life"); // Cached: q is on "old".

        // Another node deletes the queue and creates it again on the other pool.
        Assert.Equal(HttpStatusCode.NoContent, (await onFirst.DeleteAsync("/v2/queues/q")).Status);
        await onFirst.CreateQueueAsync("q", new { _flavor = "new" });
        await onDeaf.PostMessagesAsync("q", "second life");

        Assert.Equal(0, await PooledDeployment.QueueRowsAsync(d.Pools["old"], onDeaf.Project, "q"));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Pools["new"], onDeaf.Project, "q"));
        var bodies = (await onFirst.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray().Select(m => m!["body"]!.GetValue<string>());
        Assert.Equal(["second life"], bodies);
        // Having found the queue elsewhere, the node reads it from there too.
        Assert.Equal(1, (await onDeaf.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task OtherNodesDropACachedRouteAsSoonAsTheQueueIsDeleted()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("old", weight: 1);
        await d.AddPoolAsync("new", weight: 1);
        using (var admin = d.Admin())
        {
            await admin.PutAsync("/v2/flavors/old", new { pool_list = new[] { "old" } });
            await admin.PutAsync("/v2/flavors/new", new { pool_list = new[] { "new" } });
        }
        var listening = d.AddNode(new Dictionary<string, string?> { ["Pools:CatalogCacheSeconds"] = "3600" });
        using var onListening = d.NewProject(listening);
        using var onFirst = new ZaqarClient(d.Factory.CreateClient(), onListening.Project, Guid.NewGuid().ToString());
        await onFirst.CreateQueueAsync("q", new { _flavor = "old" });
        Assert.Equal(0, (await onListening.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.NoContent, (await onFirst.DeleteAsync("/v2/queues/q")).Status);
        await onFirst.CreateQueueAsync("q", new { _flavor = "new" });
        await onFirst.PostMessagesAsync("q", "on new");

        // A read (which never corrects a route by itself) sees the new queue once the deletion's NOTIFY arrived.
        await DeliveryWaits.UntilAsync(
            async () => (await onListening.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<long>(),
            total => total == 1, timeoutSeconds: 10, "the other node to read the queue on its new pool");
    }
}
