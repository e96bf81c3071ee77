using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// Listing a project's queues across pools (issue #6): the catalogue knows every queue in name order, so marker and limit
/// page as before; detailed listings and metadata filters read the pools.
/// </summary>
public sealed class PoolListingTests(PoolListingTests.Deployment deployment) : IClassFixture<PoolListingTests.Deployment>
{
    private static readonly string[] Names = ["a1", "b2", "c3", "d4", "e5", "f6", "g7"];

    /// <summary>Two pools, each the only pool of a flavor of its name; tests stay apart by project.</summary>
    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Pools = await PooledDeployment.StartAsync(server);
            await Pools.AddPoolAsync("one", weight: 1);
            await Pools.AddPoolAsync("two", weight: 1);
            using var admin = Pools.Admin();
            await admin.PutAsync("/v2/flavors/one", new { pool_list = new[] { "one" } });
            await admin.PutAsync("/v2/flavors/two", new { pool_list = new[] { "two" } });
        }

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    private PooledDeployment _d => deployment.Pools;

    /// <summary>Creates the queues in a shuffled order, alternating pools; every third one red.</summary>
    private async Task<ZaqarClient> SevenQueuesAsync()
    {
        var tenant = _d.NewProject();
        foreach (var (name, i) in Names.Select((n, i) => (n, i)).OrderBy(_ => Guid.NewGuid()))
        {
            await tenant.CreateQueueAsync(name, new { _flavor = i % 2 == 0 ? "one" : "two", color = i % 3 == 0 ? "red" : "blue", n = i });
        }
        return tenant;
    }

    private static string[] NamesOf(ZaqarClient.Response page) => page.Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()).ToArray();

    [Fact]
    public async Task PagesFollowNameOrderAcrossPools()
    {
        using var tenant = await SevenQueuesAsync();
        Assert.Equal(["one", "two"], (await Task.WhenAll(Names.Take(2).Select(n => _d.CatalogueAsync(tenant.Project, n)))).Select(p => p!));

        var pages = new List<string[]>();
        var next = "/v2/queues?limit=3";
        while (true)
        {
            var page = await tenant.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            if (NamesOf(page).Length == 0)
            {
                Assert.Empty(page.Json!["links"]!.AsArray());
                break;
            }
            pages.Add(NamesOf(page));
            next = page.Json!["links"]![0]!["href"]!.GetValue<string>();
        }

        Assert.Equal([["a1", "b2", "c3"], ["d4", "e5", "f6"], ["g7"]], pages);
        Assert.Equal(["c3", "d4"], NamesOf(await tenant.GetAsync("/v2/queues?marker=b2&limit=2")));
    }

    [Fact]
    public async Task DetailedListingsReadEachQueuesMetadataFromItsPool()
    {
        using var tenant = await SevenQueuesAsync();

        var page = await tenant.GetAsync("/v2/queues?detailed=true&limit=4");
        var plain = await tenant.GetAsync("/v2/queues?limit=4");

        var queues = page.Json!["queues"]!.AsArray();
        Assert.Equal(["a1", "b2", "c3", "d4"], queues.Select(q => q!["name"]!.GetValue<string>()));
        for (var i = 0; i < 4; i++)
        {
            var metadata = queues[i]!["metadata"]!;
            Assert.Equal(i, metadata["n"]!.GetValue<int>());
            Assert.Equal(i % 2 == 0 ? "one" : "two", metadata["_flavor"]!.GetValue<string>());
            // Reserved keys are filled in, as for a single database.
            Assert.Equal(3600, metadata["_default_message_ttl"]!.GetValue<int>());
        }
        Assert.All(plain.Json!["queues"]!.AsArray(), q => Assert.Null(q!["metadata"]));
        Assert.Equal($"/v2/queues/a1", plain.Json["queues"]![0]!["href"]!.GetValue<string>());
    }

    [Fact]
    public async Task CountsNameFiltersAndMetadataFiltersSpanThePools()
    {
        using var tenant = await SevenQueuesAsync();

        var counted = await tenant.GetAsync("/v2/queues?with_count=true&limit=2");
        var byName = await tenant.GetAsync("/v2/queues?name=3");
        var red = await tenant.GetAsync("/v2/queues?color=red&with_count=true");
        var redPage = await tenant.GetAsync("/v2/queues?color=red&limit=2");
        var redRest = await tenant.GetAsync(redPage.Json!["links"]![0]!["href"]!.GetValue<string>());

        Assert.Equal(7, counted.Json!["count"]!.GetValue<long>());
        Assert.Equal(["c3"], NamesOf(byName));
        // Red: 0, 3, 6 (a1 on one, d4 on two, g7 on one).
        Assert.Equal(["a1", "d4", "g7"], NamesOf(red));
        Assert.Equal(3, red.Json!["count"]!.GetValue<long>());
        Assert.Equal(["a1", "d4"], NamesOf(redPage));
        Assert.Equal(["g7"], NamesOf(redRest));
    }

    [Fact]
    public async Task TopicsAreListedApartFromQueues()
    {
        using var tenant = _d.NewProject();
        await tenant.CreateQueueAsync("shared", new { _flavor = "one" });
        Assert.Equal(HttpStatusCode.Created, (await tenant.PutAsync("/v2/topics/shared", new { _flavor = "two" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await tenant.PutAsync("/v2/topics/only-topic", new JsonObject())).Status);

        var topics = await tenant.GetAsync("/v2/topics?detailed=true");
        var queues = await tenant.GetAsync("/v2/queues");

        Assert.Equal(["only-topic", "shared"], topics.Json!["topics"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal("two", topics.Json["topics"]![1]!["metadata"]!["_flavor"]!.GetValue<string>());
        Assert.Equal(["shared"], NamesOf(queues));
    }
}
