using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// /v2/flavors (zaqar-v2-api.md section 9, issue #6): reading is open to every project, writing needs the admin role;
/// a flavor's pools are the pools that name it. The tests share a deployment, with pools and flavors of their own names
/// (but for the listing's, which needs a catalog of its own).
/// </summary>
public sealed class FlavorRouteTests(ZaqarTestServer server, FlavorRouteTests.Deployment deployment) : IClassFixture<FlavorRouteTests.Deployment>
{
    private static readonly string[] Capabilities = ["FIFO", "CLAIMS", "DURABILITY", "AOD", "HIGH_THROUGHPUT"];

    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Pools = await PooledDeployment.StartAsync(server);

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    private PooledDeployment D => deployment.Pools;

    private static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task PutCreatesAFlavorThatGetAndTheListingShow()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("a", weight: 0);
        await d.AddPoolAsync("b", weight: 0);
        using var admin = d.Admin();

        var put = await admin.PutAsync("/v2/flavors/gold", new { pool_list = new[] { "b", "a" }, capabilities = new { durable = true } });
        var get = await admin.GetAsync("/v2/flavors/gold");
        var list = await admin.GetAsync("/v2/flavors");
        var detailed = await admin.GetAsync("/v2/flavors?detailed=true&limit=1");
        var pool = await admin.GetAsync("/v2/pools/a");

        Assert.Equal(HttpStatusCode.Created, put.Status);
        Assert.Equal("/v2/flavors/gold", put.Location);
        Assert.Equal(["name", "href", "pool_list", "capabilities"], get.Json!.AsObject().Select(p => p.Key));
        Assert.Equal(["a", "b"], get.Json["pool_list"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(Capabilities, get.Json["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));
        var listed = list.Json!["flavors"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["name", "href", "pool_list"], listed.Select(p => p.Key));
        Assert.Equal("/v2/flavors?marker=gold", list.Json["links"]![0]!["href"]!.GetValue<string>());
        Assert.Equal(Capabilities, detailed.Json!["flavors"]![0]!["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("/v2/flavors?limit=1&detailed=true&marker=gold", detailed.Json["links"]![0]!["href"]!.GetValue<string>());
        Assert.Equal("gold", pool.Json!["flavor"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"pool_list": []}""", 400, "Unable to create", "Bad Request")]
    [InlineData("""{"pool_list": ["{pool}", "nope"]}""", 400, "Unable to create", "Flavor {flavor} could not be created, error:Pool nope does not exist")]
    [InlineData("""{"capabilities": {}}""", 400, "Invalid request body", "'pool_list' is a required property")]
    [InlineData("""{"pool_list": ["{pool}"], "pool_group": "g"}""", 400, "Invalid request body", "'pool_group' was unexpected")]
    [InlineData("""{"pool_list": ["{pool}"], "capabilities": []}""", 400, "Invalid request body", "('capabilities')")]
    [InlineData("""{"pool_list": "{pool}"}""", 400, "Invalid request body", "('pool_list')")]
    [InlineData("""[]""", 400, "Invalid request body", "Document type not supported.")]
    public async Task PutRefusesBadPoolListsAndDocuments(string body, int status, string title, string description)
    {
        var (pool, flavor) = (Name("a"), Name("gold"));
        await D.AddPoolAsync(pool, weight: 0);
        using var admin = D.Admin();

        var response = await admin.SendAsync(HttpMethod.Put, $"/v2/flavors/{flavor}", body.Replace("{pool}", pool, StringComparison.Ordinal));

        response.AssertError((HttpStatusCode)status, title, description.Replace("{flavor}", flavor, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/v2/flavors/{flavor}")).Status);
    }

    [Fact]
    public async Task PatchReplacesThePoolListAndAnswersTheFlavor()
    {
        var (a, b, gold) = (Name("a"), Name("b"), Name("gold"));
        await D.AddPoolAsync(a, weight: 0);
        await D.AddPoolAsync(b, weight: 0);
        using var admin = D.Admin();
        await admin.PutAsync($"/v2/flavors/{gold}", new { pool_list = new[] { a } });

        var moved = await admin.PatchAsync($"/v2/flavors/{gold}", new { pool_list = new[] { b } }, "application/json");
        var noList = await admin.PatchAsync($"/v2/flavors/{gold}", new { capabilities = new { } }, "application/json");
        var empty = await admin.PatchAsync($"/v2/flavors/{gold}", new { pool_list = Array.Empty<string>() }, "application/json");
        var unknownPool = await admin.PatchAsync($"/v2/flavors/{gold}", new { pool_list = new[] { "nope" } }, "application/json");
        var unknownFlavor = await admin.PatchAsync("/v2/flavors/silver", new { pool_list = new[] { a } }, "application/json");

        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.Equal($$"""{"name":"{{gold}}","href":"/v2/flavors/{{gold}}","pool_list":["{{b}}"],"capabilities":["FIFO","CLAIMS","DURABILITY","AOD","HIGH_THROUGHPUT"]}""",
            moved.Text);
        Assert.Null((await admin.GetAsync($"/v2/pools/{a}")).Json!["flavor"]);
        noList.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "`pool_list` needs to be specified");
        empty.AssertError(HttpStatusCode.BadRequest, "Unable to create", "Bad Request");
        unknownPool.AssertError(HttpStatusCode.BadRequest, "updatefail", $"Flavor {gold} cant be updated, error:Pool nope does not exist");
        unknownFlavor.AssertError(HttpStatusCode.NotFound, "Not found", "Flavor silver does not exist");
    }

    [Fact]
    public async Task DeleteTakesTheFlavorOffItsPools()
    {
        var (a, gold) = (Name("a"), Name("gold"));
        await D.AddPoolAsync(a, weight: 0);
        using var admin = D.Admin();
        await admin.PutAsync($"/v2/flavors/{gold}", new { pool_list = new[] { a } });

        var deleted = await admin.DeleteAsync($"/v2/flavors/{gold}");
        var again = await admin.DeleteAsync($"/v2/flavors/{gold}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NoContent, again.Status);
        (await admin.GetAsync($"/v2/flavors/{gold}")).AssertError(HttpStatusCode.NotFound, "Not found", $"Flavor {gold} does not exist");
        Assert.Null((await admin.GetAsync($"/v2/pools/{a}")).Json!["flavor"]);
        // The pool is free to go now.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/pools/{a}")).Status);
    }

    [Fact]
    public async Task AnyProjectReadsFlavorsButOnlyAdminsChangeThem()
    {
        var (a, gold) = (Name("a"), Name("gold"));
        await D.AddPoolAsync(a, weight: 0);
        using var admin = D.Admin();
        await admin.PutAsync($"/v2/flavors/{gold}", new { pool_list = new[] { a } });
        using var member = D.NewProject();

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/v2/flavors")).Status);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/v2/flavors/{gold}")).Status);
        foreach (var response in new[]
        {
            await member.PutAsync($"/v2/flavors/{Name("silver")}", new { pool_list = new[] { a } }),
            await member.PatchAsync($"/v2/flavors/{gold}", new { pool_list = new[] { a } }, "application/json"),
            await member.DeleteAsync($"/v2/flavors/{gold}"),
        })
        {
            response.AssertError(HttpStatusCode.Forbidden, "Not authorized", "You are not authorized to complete this action.");
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v2/flavors/{gold}")).Status);
    }

    [Fact]
    public async Task APoolServesOneFlavorAndMovesToTheLastThatListsIt()
    {
        var (a, gold, silver) = (Name("a"), Name("gold"), Name("silver"));
        await D.AddPoolAsync(a, weight: 0);
        using var admin = D.Admin();
        await admin.PutAsync($"/v2/flavors/{gold}", new { pool_list = new[] { a } });

        await admin.PutAsync($"/v2/flavors/{silver}", new { pool_list = new[] { a } });

        Assert.Empty((await admin.GetAsync($"/v2/flavors/{gold}")).Json!["pool_list"]!.AsArray());
        Assert.Equal(silver, (await admin.GetAsync($"/v2/pools/{a}")).Json!["flavor"]!.GetValue<string>());
        // A flavor without pools reports no capabilities and is listed without a pool list.
        Assert.Empty((await admin.GetAsync($"/v2/flavors/{gold}")).Json!["capabilities"]!.AsArray());
        var listed = (await admin.GetAsync($"/v2/flavors?marker={gold[..^1]}&limit=1")).Json!["flavors"]![0]!;
        Assert.Equal(gold, listed["name"]!.GetValue<string>());
        Assert.Null(listed["pool_list"]);
    }
}
