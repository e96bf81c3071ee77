using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// Where new queues land (issue #6): on a pool chosen at random by weight, on their <c>_flavor</c>'s pools, or with no
/// pool registered (or pooling off) in the primary database, as before pools existed.
/// </summary>
public sealed class PlacementTests(ZaqarTestServer server)
{
    [Fact]
    public async Task NewQueuesSpreadByWeightAndAPoolOfWeightZeroGetsNone()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("light", weight: 100);
        await d.AddPoolAsync("heavy", weight: 300);
        await d.AddPoolAsync("drained", weight: 0);
        using var tenant = d.NewProject();

        var placed = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            // Lazily, by a post: placement does not need an explicit create.
            await tenant.PostMessagesAsync($"q{i}", i);
            placed.Add((await d.CatalogueAsync(tenant.Project, $"q{i}"))!);
        }

        var counts = placed.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.False(counts.ContainsKey("drained"));
        Assert.False(counts.ContainsKey("(primary)"));
        // 60 draws at 1:3: both pools get queues, the heavier more (a chance failure is below one in a million).
        Assert.InRange(counts.GetValueOrDefault("light"), 1, 29);
        Assert.Equal(60, counts.GetValueOrDefault("light") + counts.GetValueOrDefault("heavy"));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Pools[placed[0]], tenant.Project, "q0"));
        Assert.Equal(0, await PooledDeployment.QueueRowsAsync(d.Primary, tenant.Project, "q0"));
    }

    [Fact]
    public async Task AFlavorPinsItsQueuesToItsPools()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("general", weight: 1000);
        await d.AddPoolAsync("gold-1", weight: 1);
        await d.AddPoolAsync("gold-2", weight: 1);
        using var admin = d.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/flavors/gold", new { pool_list = new[] { "gold-1", "gold-2" } })).Status);
        using var tenant = d.NewProject();

        for (var i = 0; i < 12; i++)
        {
            await tenant.CreateQueueAsync($"g{i}", new { _flavor = "gold" });
            await tenant.PostMessagesAsync($"g{i}", "pinned");
        }

        for (var i = 0; i < 12; i++)
        {
            var pool = await d.CatalogueAsync(tenant.Project, $"g{i}");
            Assert.StartsWith("gold-", pool);
            Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Pools[pool!], tenant.Project, $"g{i}"));
        }
        // The queue keeps its flavor as metadata.
        Assert.Equal("gold", (await tenant.GetAsync("/v2/queues/g0")).Json!["_flavor"]!.GetValue<string>());
    }

    [ExpectsServiceErrors("No pool of the flavor takes queues: an operator must act, so it is logged as an error.")]
    [Fact]
    public async Task AnUnknownFlavorIsRefusedAndAFlavorWhosePoolsTakeNoQueuesIsUnavailable()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("drained", weight: 0);
        using var admin = d.Admin();
        await admin.PutAsync("/v2/flavors/closed", new { pool_list = new[] { "drained" } });
        using var tenant = d.NewProject();

        var unknown = await tenant.PutAsync("/v2/queues/q", new { _flavor = "nope" });
        var closed = await tenant.PutAsync("/v2/queues/q", new { _flavor = "closed" });

        unknown.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Flavor nope does not exist");
        closed.AssertError(HttpStatusCode.ServiceUnavailable, "Service temporarily unavailable", "Queue could not be created.");
        Assert.Null(await d.CatalogueAsync(tenant.Project, "q"));
        Assert.Empty((await tenant.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }

    [Fact]
    public async Task WithoutAPoolEveryQueueLivesInThePrimaryDatabase()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        using var tenant = d.NewProject();

        await tenant.PostMessagesAsync("q", "here");
        await tenant.CreateQueueAsync("colored", new { color = "red" });

        Assert.Equal("(primary)", await d.CatalogueAsync(tenant.Project, "q"));
        Assert.Equal("(primary)", await d.CatalogueAsync(tenant.Project, "colored"));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(d.Primary, tenant.Project, "q"));
        var listing = (await tenant.GetAsync("/v2/queues?with_count=true&detailed=true")).Json!;
        Assert.Equal(2L, listing["count"]!.GetValue<long>());
        Assert.Equal("red", listing["queues"]![0]!["metadata"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithPoolingOffNothingIsCataloguedAndPoolMetadataIsPlainMetadata()
    {
        using var tenant = server.NewProject();

        await tenant.CreateQueueAsync("q", new { _flavor = "nope" });
        await tenant.PostMessagesAsync("q", 1);

        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(server.Database.ConnectionString, tenant.Project, "q"));
        Assert.Equal(0L, await PooledDeployment.ScalarAsync<long>(server.Database.ConnectionString,
            "SELECT count(*) FROM catalogue WHERE project = @p", ("p", tenant.Project)));
        Assert.Equal("nope", (await tenant.GetAsync("/v2/queues/q")).Json!["_flavor"]!.GetValue<string>());
    }

    [Fact]
    public async Task QueuesFromBeforePoolingStayInThePrimaryDatabase()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        // A node of the same database that predates pooling.
        var legacy = d.AddNode(new Dictionary<string, string?> { ["Pools:Enabled"] = "false" });
        using var old = d.NewProject(legacy);
        await old.PostMessagesAsync("old", "before pools");
        // A pooled node starting now registers the primary database's queues where they are.
        var pooled = d.AddNode();
        _ = pooled.Server;
        await d.AddPoolAsync("new", weight: 100);
        using var tenant = new ZaqarClient(pooled.CreateClient(), old.Project, Guid.NewGuid().ToString());

        await tenant.PostMessagesAsync("old", "after pools");
        await tenant.PostMessagesAsync("fresh", "new queue");

        Assert.Equal("(primary)", await d.CatalogueAsync(old.Project, "old"));
        Assert.Equal(2, (await tenant.GetAsync("/v2/queues/old/messages?echo=true")).Json!["messages"]!.AsArray().Count);
        Assert.Equal(0, await PooledDeployment.QueueRowsAsync(d.Pools["new"], old.Project, "old"));
        Assert.Equal("new", await d.CatalogueAsync(old.Project, "fresh"));
    }
}
