using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// /v2/pools (zaqar-v2-api.md section 9, issue #6): routed only with admin mode and pooling on, admin only, Zaqar's
/// schema and statuses. One deployment (primary database of its own) for the class; tests use pools of their own names.
/// </summary>
public sealed class PoolRouteTests(PoolRouteTests.Deployment deployment) : IClassFixture<PoolRouteTests.Deployment>
{
    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public ZaqarTestServer Server => server;

        public async ValueTask InitializeAsync() => Pools = await PooledDeployment.StartAsync(server);

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    private PooledDeployment D => deployment.Pools;

    private static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData("GET", "/v2/pools")]
    [InlineData("PUT", "/v2/pools/p")]
    [InlineData("GET", "/v2/pools/p")]
    [InlineData("PATCH", "/v2/pools/p")]
    [InlineData("DELETE", "/v2/pools/p")]
    [InlineData("GET", "/v2/flavors")]
    [InlineData("PUT", "/v2/flavors/f")]
    [InlineData("GET", "/v2/flavors/f")]
    [InlineData("PATCH", "/v2/flavors/f")]
    [InlineData("DELETE", "/v2/flavors/f")]
    public async Task RoutesAreNotFoundWithoutPoolingOrWithoutAdminMode(string method, string path)
    {
        await using var noAdminMode = deployment.Server.CreateFactory(new Dictionary<string, string?>
        {
            ["Pools:Enabled"] = "true",
            ["Zaqar:AdminMode"] = "false",
        });
        var headers = RestTestHelpers.ValidHeaders();
        headers["X-Roles"] = "admin";

        foreach (var factory in new[] { deployment.Server.Factory, noAdminMode })
        {
            var response = await factory.RawAsync(new HttpMethod(method), path, headers, method is "PUT" or "PATCH" ? "{}" : null);
            Assert.Equal(HttpStatusCode.NotFound, response.Status);
            Assert.Equal("""{"title":"404 Not Found"}""", response.Text);
        }
    }

    [Theory]
    [InlineData("GET", "/v2/pools", null)]
    [InlineData("PUT", "/v2/pools/p", "not json")]
    [InlineData("GET", "/v2/pools/p", null)]
    [InlineData("PATCH", "/v2/pools/p", "{}")]
    [InlineData("DELETE", "/v2/pools/p", null)]
    public async Task EveryPoolRouteNeedsTheAdminRole(string method, string path, string? body)
    {
        using var member = D.NewProject();
        member.Http.DefaultRequestHeaders.Add("X-Roles", "member");

        var response = await member.SendAsync(new HttpMethod(method), path, body);

        response.AssertError(HttpStatusCode.Forbidden, "Not authorized", "You are not authorized to complete this action.");
    }

    [Fact]
    public async Task PutRegistersAPoolThatGetListsAndDeleteRemoves()
    {
        using var admin = D.Admin();
        var name = Name("pool");
        var uri = await PooledDeployment.CreateDatabaseAsync(deployment.Server, "zroute");

        var put = await admin.PutAsync($"/v2/pools/{name}", new { uri, weight = 10, options = new { max_retry_sleep = 1 } });
        var get = await admin.GetAsync($"/v2/pools/{name}");
        var detailed = await admin.GetAsync($"/v2/pools/{name}?detailed=true");

        Assert.Equal(HttpStatusCode.Created, put.Status);
        Assert.Equal($"/v2/pools/{name}", put.Location);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(["name", "href", "uri", "weight", "flavor"], get.Json!.AsObject().Select(p => p.Key));
        Assert.Equal(name, get.Json["name"]!.GetValue<string>());
        Assert.Equal($"/v2/pools/{name}", get.Json["href"]!.GetValue<string>());
        Assert.Equal(uri, get.Json["uri"]!.GetValue<string>());
        Assert.Equal(10, get.Json["weight"]!.GetValue<long>());
        Assert.Null(get.Json["flavor"]);
        Assert.Equal("""{"max_retry_sleep":1}""", detailed.Json!["options"]!.ToJsonString());

        // PUT again replaces the pool (Zaqar's upsert).
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync($"/v2/pools/{name}", new { uri, weight = 4294967295L })).Status);
        Assert.Equal(4294967295L, (await admin.GetAsync($"/v2/pools/{name}")).Json!["weight"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/pools/{name}")).Status);
        (await admin.GetAsync($"/v2/pools/{name}")).AssertError(HttpStatusCode.NotFound, "Not found", $"Pool {name} does not exist");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/pools/{name}")).Status);
    }

    [Theory]
    [InlineData("""{"weight": 1}""", "'uri' is a required property")]
    [InlineData("""{"uri": "Host=x"}""", "'weight' is a required property")]
    [InlineData("""{"uri": "Host=x", "weight": -1}""", "('weight')")]
    [InlineData("""{"uri": "Host=x", "weight": 4294967296}""", "('weight')")]
    [InlineData("""{"uri": "Host=x", "weight": "1"}""", "('weight')")]
    [InlineData("""{"uri": "Host=x", "weight": 1.5}""", "('weight')")]
    [InlineData("""{"uri": 7, "weight": 1}""", "('uri')")]
    [InlineData("""{"uri": "Host=x", "weight": 1, "options": []}""", "('options')")]
    [InlineData("""{"uri": "Host=x", "weight": 1, "flavor": 3}""", "('flavor')")]
    [InlineData("""{"uri": "Host=x", "weight": 1, "group": "g"}""", "Additional properties are not allowed ('group' was unexpected)")]
    [InlineData("""[1]""", "Document type not supported.")]
    [InlineData("""{"uri": """, "Request body could not be parsed.")]
    [InlineData("", "Request body could not be parsed.")]
    public async Task PutRefusesDocumentsOutsideTheSchema(string body, string description)
    {
        using var admin = D.Admin();

        var response = await admin.SendAsync(HttpMethod.Put, $"/v2/pools/{Name("bad")}", body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body", description);
    }

    [Fact]
    public async Task PutRefusesAUriLongerThan255Characters()
    {
        using var admin = D.Admin();

        var response = await admin.PutAsync($"/v2/pools/{Name("long")}", new { uri = "Host=127.0.0.1;Database=" + new string('x', 240), weight = 1 });

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "('uri')");
    }

    [Fact]
    public async Task PutRefusesADatabaseItCannotConnectTo()
    {
        using var admin = D.Admin();
        var name = Name("down");
        const string uri = "Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x";

        var refused = await admin.PutAsync($"/v2/pools/{name}", new { uri, weight = 1 });
        var garbage = await admin.PutAsync($"/v2/pools/{name}", new { uri = "not a connection string", weight = 1 });

        refused.AssertError(HttpStatusCode.BadRequest, "Invalid request body", $"cannot connect to {uri}");
        garbage.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "cannot connect to not a connection string");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/v2/pools/{name}")).Status);
    }

    [Fact]
    public async Task PutRefusesAUriAnotherPoolUsesAndAnUnknownFlavorOrName()
    {
        using var admin = D.Admin();
        var first = Name("first");
        var uri = await D.AddPoolAsync(first, weight: 0);

        var conflict = await admin.PutAsync($"/v2/pools/{Name("second")}", new { uri, weight = 1 });
        var flavor = await admin.PutAsync($"/v2/pools/{first}", new { uri, weight = 1, flavor = "no-such-flavor" });
        var badName = await admin.PutAsync("/v2/pools/bad%20name", new { uri, weight = 1 });

        conflict.AssertError(HttpStatusCode.Conflict, "Resource conflict", "The database URI is in use by another pool.");
        flavor.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Flavor no-such-flavor does not exist");
        badName.AssertError(HttpStatusCode.BadRequest, "Invalid API request", "The format of the submitted pool name is not valid.");
    }

    [Fact]
    public async Task PatchChangesSomeFieldsAndAnswersThePool()
    {
        using var admin = D.Admin();
        var name = Name("patched");
        var uri = await D.AddPoolAsync(name, weight: 0);

        var weight = await admin.PatchAsync($"/v2/pools/{name}", new { weight = 0, options = new { a = 1 } }, "application/json");
        var empty = await admin.PatchAsync($"/v2/pools/{name}", new { }, "application/json");
        var unknown = await admin.PatchAsync($"/v2/pools/{name}", new { colour = "red" }, "application/json");
        var missing = await admin.PatchAsync($"/v2/pools/{Name("missing")}", new { weight = 2 }, "application/json");
        var down = await admin.PatchAsync($"/v2/pools/{name}", new { uri = "Host=127.0.0.1;Port=1;Database=x" }, "application/json");

        Assert.Equal(HttpStatusCode.OK, weight.Status);
        Assert.Equal(["name", "href", "uri", "weight", "flavor"], weight.Json!.AsObject().Select(p => p.Key));
        Assert.Equal(uri, weight.Json["uri"]!.GetValue<string>());
        Assert.Equal("""{"a":1}""", (await admin.GetAsync($"/v2/pools/{name}?detailed=true")).Json!["options"]!.ToJsonString());
        empty.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "One of `uri`, `weight`, `flavor`, or `options` needs to be specified");
        unknown.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "'colour' was unexpected");
        missing.AssertError(HttpStatusCode.NotFound, "Not found", "does not exist");
        down.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "cannot connect to Host=127.0.0.1;Port=1;Database=x");
    }

    [Fact]
    public async Task DeleteRefusesAPoolAFlavorListsOrQueuesLiveOn()
    {
        using var admin = D.Admin();
        var flavored = Name("flavored");
        var holding = Name("holding");
        await D.AddPoolAsync(flavored, weight: 0);
        await D.AddPoolAsync(holding, weight: 1);
        var flavor = Name("f");
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync($"/v2/flavors/{flavor}", new { pool_list = new[] { flavored, holding } })).Status);
        using var tenant = D.NewProject();
        // Only "holding" takes new queues (weight above zero).
        await tenant.CreateQueueAsync("kept", new { _flavor = flavor });
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/v2/flavors/{flavor}", new { pool_list = new[] { flavored } }, "application/json")).Status);

        var usedByFlavor = await admin.DeleteAsync($"/v2/pools/{flavored}");
        var holdingQueues = await admin.DeleteAsync($"/v2/pools/{holding}");

        usedByFlavor.AssertError(HttpStatusCode.Forbidden, "Unable to delete", $"This pool is used by flavors {flavor}; It cannot be deleted.");
        holdingQueues.AssertError(HttpStatusCode.Forbidden, "Unable to delete", "This pool holds 1 queues; It cannot be deleted.");

        // Once the queue is gone the pool can go.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.DeleteAsync("/v2/queues/kept")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/pools/{holding}")).Status);
    }

    [Fact]
    public async Task ListingPagesInNameOrderWithZaqarsLinks()
    {
        await using var own = await PooledDeployment.StartAsync(deployment.Server);
        using var admin = own.Admin();
        foreach (var name in new[] { "p3", "p1", "p2" })
        {
            await own.AddPoolAsync(name, weight: 0);
        }

        var first = await admin.GetAsync("/v2/pools?limit=2");
        var second = await admin.GetAsync(first.Json!["links"]![0]!["href"]!.GetValue<string>());
        var last = await admin.GetAsync(second.Json!["links"]![0]!["href"]!.GetValue<string>());
        var detailed = await admin.GetAsync("/v2/pools?detailed=true");

        Assert.Equal(["p1", "p2"], first.Json["pools"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal("/v2/pools?limit=2&marker=p2", first.Json["links"]![0]!["href"]!.GetValue<string>());
        Assert.Equal(["p3"], second.Json["pools"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Empty(last.Json!["pools"]!.AsArray());
        Assert.Empty(last.Json["links"]!.AsArray());
        Assert.Null(first.Json["pools"]![0]!["options"]);
        Assert.Equal("{}", detailed.Json!["pools"]![0]!["options"]!.ToJsonString());
        (await admin.GetAsync("/v2/pools?limit=0")).AssertError(HttpStatusCode.BadRequest, "Invalid API request", "no greater than 20");
        (await admin.GetAsync("/v2/pools?limit=21")).AssertError(HttpStatusCode.BadRequest, "Invalid API request", "no greater than 20");
    }

    [Fact]
    public async Task HomeDocumentListsThePoolRelationsOnlyWhenTheyAreRouted()
    {
        using var pooled = D.NewProject();
        using var plain = deployment.Server.NewProject();

        var withPools = (await pooled.GetAsync("/v2/")).Json!["resources"]!.AsObject();
        var without = (await plain.GetAsync("/v2/")).Json!["resources"]!.AsObject();

        foreach (var rel in new[] { "rel/pools", "rel/pool", "rel/flavors", "rel/flavor" })
        {
            Assert.True(withPools.ContainsKey(rel), rel);
            Assert.False(without.ContainsKey(rel), rel);
        }
        Assert.Equal("/v2/pools/{pool_name}", withPools["rel/pool"]!["href-template"]!.GetValue<string>());
    }
}
