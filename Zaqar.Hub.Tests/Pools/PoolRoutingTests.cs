using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// Every operation of a queue runs on the queue's pool (issue #6): checked with SQL against each database. Two pools,
/// each the only pool of a flavor, so a queue's pool is chosen by the test.
/// </summary>
public sealed class PoolRoutingTests(PoolRoutingTests.Deployment deployment) : IClassFixture<PoolRoutingTests.Deployment>
{
    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Pools = await PooledDeployment.StartAsync(server);
            await Pools.AddPoolAsync("east", weight: 1);
            await Pools.AddPoolAsync("west", weight: 1);
            using var admin = Pools.Admin();
            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/flavors/east", new { pool_list = new[] { "east" } })).Status);
            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/flavors/west", new { pool_list = new[] { "west" } })).Status);
        }

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    private PooledDeployment D => deployment.Pools;

    private Task<long> CountAsync(string pool, string sql, string project) =>
        PooledDeployment.ScalarAsync<long>(pool == "(primary)" ? D.Primary : D.Pools[pool], sql, ("p", project));

    [Fact]
    public async Task EveryQueueOperationRunsOnTheQueuesPool()
    {
        using var tenant = D.NewProject();
        await tenant.CreateQueueAsync("e", new { _flavor = "east" });
        await tenant.CreateQueueAsync("w", new { _flavor = "west" });
        // A subscription first, so the posts fill the outbox: it lives with the messages.
        foreach (var q in new[] { "e", "w" })
        {
            var subscribed = await tenant.PostAsync($"/v2/queues/{q}/subscriptions", new { subscriber = "http://127.0.0.1:9/hook", ttl = 3600 });
            Assert.Equal(HttpStatusCode.Created, subscribed.Status);
        }

        foreach (var q in new[] { "e", "w" })
        {
            await tenant.PostMessagesAsync(q, 1, 2, 3);
            Assert.Equal(3, (await tenant.GetAsync($"/v2/queues/{q}/messages?echo=true")).Json!["messages"]!.AsArray().Count);
            var (claimId, claimed) = await tenant.ClaimAsync(q, limit: 2);
            Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync($"/v2/queues/{q}/claims/{claimId}")).Status);
            var first = claimed[0]!["id"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.NoContent, (await tenant.DeleteAsync($"/v2/queues/{q}/messages/{first}?claim_id={claimId}")).Status);
            var stats = (await tenant.GetAsync($"/v2/queues/{q}/stats")).Json!["messages"]!;
            Assert.Equal(2, stats["total"]!.GetValue<long>());
            Assert.Equal(1, stats["claimed"]!.GetValue<long>());
            var patched = await tenant.PatchAsync($"/v2/queues/{q}", new[] { new { op = "add", path = "/metadata/color", value = q } });
            Assert.Equal(HttpStatusCode.OK, patched.Status);
        }

        foreach (var (queue, pool, other) in new[] { ("e", "east", "west"), ("w", "west", "east") })
        {
            var messages = $"SELECT count(*) FROM messages m JOIN queues q ON q.id = m.queue_id WHERE q.project = @p AND q.name = '{queue}'";
            var claims = $"SELECT count(*) FROM claims c JOIN queues q ON q.id = c.queue_id WHERE q.project = @p AND q.name = '{queue}'";
            var subscriptions = $"SELECT count(*) FROM subscriptions WHERE project = @p AND queue_name = '{queue}'";
            var outbox = $"SELECT count(*) FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id WHERE s.project = @p AND s.queue_name = '{queue}'";
            var metadata = $"SELECT count(*) FROM queues WHERE project = @p AND name = '{queue}' AND metadata ->> 'color' = '{queue}'";
            Assert.Equal(2, await CountAsync(pool, messages, tenant.Project));
            Assert.Equal(1, await CountAsync(pool, claims, tenant.Project));
            Assert.Equal(1, await CountAsync(pool, subscriptions, tenant.Project));
            Assert.Equal(3, await CountAsync(pool, outbox, tenant.Project));
            Assert.Equal(1, await CountAsync(pool, metadata, tenant.Project));
            foreach (var elsewhere in new[] { other, "(primary)" })
            {
                Assert.Equal(0, await CountAsync(elsewhere, $"SELECT count(*) FROM queues WHERE project = @p AND name = '{queue}'", tenant.Project));
                Assert.Equal(0, await CountAsync(elsewhere, subscriptions, tenant.Project));
            }
        }
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.PostAsync("/v2/queues/e/purge", new { resource_types = new[] { "messages" } })).Status);
        Assert.Equal(0, await CountAsync("east", "SELECT count(*) FROM messages m JOIN queues q ON q.id = m.queue_id WHERE q.project = @p", tenant.Project));
        Assert.Equal(2, await CountAsync("west", "SELECT count(*) FROM messages m JOIN queues q ON q.id = m.queue_id WHERE q.project = @p", tenant.Project));
    }

    [Fact]
    public async Task TopicsLiveOnTheirPoolInTheirOwnNameSpace()
    {
        using var tenant = D.NewProject();
        Assert.Equal(HttpStatusCode.Created, (await tenant.PutAsync("/v2/topics/news", new { _flavor = "west" })).Status);
        await tenant.CreateQueueAsync("news", new { _flavor = "east" });

        var posted = await tenant.PostAsync("/v2/topics/news/messages", new { messages = new[] { new { body = "headline" } } });
        var popped = await tenant.DeleteAsync("/v2/topics/news/messages?pop=1");

        Assert.Equal(HttpStatusCode.Created, posted.Status);
        Assert.Equal("headline", popped.Json!["messages"]![0]!["body"]!.GetValue<string>());
        Assert.Equal("west", await D.CatalogueAsync(tenant.Project, "news", kind: 1));
        Assert.Equal("east", await D.CatalogueAsync(tenant.Project, "news", kind: 0));
        Assert.Equal(1, await CountAsync("west", "SELECT count(*) FROM queues WHERE project = @p AND kind = 1 AND last_seq = 1", tenant.Project));
        Assert.Equal(0, await CountAsync("east", "SELECT count(*) FROM queues WHERE project = @p AND kind = 1", tenant.Project));
    }

    [Fact]
    public async Task ADeletedQueueLeavesTheCatalogueAndIsPlacedAgainWhenRecreated()
    {
        using var tenant = D.NewProject();
        await tenant.CreateQueueAsync("q", new { _flavor = "east" });
        await tenant.PostMessagesAsync("q", "first life");

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.DeleteAsync("/v2/queues/q")).Status);
        Assert.Null(await D.CatalogueAsync(tenant.Project, "q"));
        Assert.Equal(0, await PooledDeployment.QueueRowsAsync(D.Pools["east"], tenant.Project, "q"));

        await tenant.CreateQueueAsync("q", new { _flavor = "west" });
        await tenant.PostMessagesAsync("q", "second life");

        Assert.Equal("west", await D.CatalogueAsync(tenant.Project, "q"));
        var bodies = (await tenant.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray().Select(m => m!["body"]!.GetValue<string>());
        Assert.Equal(["second life"], bodies);
    }

    [Fact]
    public async Task ADeletedQueueWhoseSubscriptionsSurviveKeepsItsPoolAndLeavesTheListing()
    {
        using var tenant = D.NewProject();
        await tenant.CreateQueueAsync("q", new { _flavor = "east" });
        Assert.Equal(HttpStatusCode.Created,
            (await tenant.PostAsync("/v2/queues/q/subscriptions", new { subscriber = "http://127.0.0.1:9/hook" })).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.DeleteAsync("/v2/queues/q")).Status);
        var listed = (await tenant.GetAsync("/v2/queues")).Json!["queues"]!.AsArray();
        // Posting again without a flavor brings the queue back on its old pool, where its subscription is.
        await tenant.PostMessagesAsync("q", "back");

        Assert.Empty(listed);
        Assert.Equal("east", await D.CatalogueAsync(tenant.Project, "q"));
        Assert.Single((await tenant.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
        Assert.Equal(1, await CountAsync("east",
            "SELECT count(*) FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id WHERE s.project = @p", tenant.Project));
        Assert.Equal(["q"], (await tenant.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ADeadLetterQueueIsMadeOnItsSourcesPoolAndCatalogued()
    {
        using var tenant = D.NewProject();
        await tenant.CreateQueueAsync("work", new { _flavor = "west", _max_claim_count = 1, _dead_letter_queue = "dead" });
        await tenant.PostMessagesAsync("work", "poison");
        var (claimId, _) = await tenant.ClaimAsync("work", limit: 1);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.DeleteAsync($"/v2/queues/work/claims/{claimId}")).Status);

        var second = await tenant.PostAsync("/v2/queues/work/claims", new { ttl = 60, grace = 60 });

        Assert.Equal(HttpStatusCode.NoContent, second.Status);
        Assert.Equal("west", await D.CatalogueAsync(tenant.Project, "dead"));
        Assert.Equal(1, (await tenant.GetAsync("/v2/queues/dead/stats")).Json!["messages"]!["total"]!.GetValue<long>());
    }
}
