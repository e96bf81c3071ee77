using System.Text.Json.Nodes;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// The hub's pool and flavor methods (issue #6) answer with REST's shapes and REST's errors, over both protocols; a
/// connection opened with a pre-signed URL can't reach them.
/// </summary>
public sealed class PoolHubTests(ZaqarTestServer server, PoolHubTests.Deployment deployment) : IClassFixture<PoolHubTests.Deployment>
{
    /// <summary>A deployment the tests share, with pools and flavors of their own names.</summary>
    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Pools = await PooledDeployment.StartAsync(server);

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    [Theory]
    [BothProtocols]
    public async Task PoolAndFlavorMethodsAnswerAsRestDoes(HubWireProtocol protocol)
    {
        var d = deployment.Pools;
        var (p, f) = ("p-" + Guid.NewGuid().ToString("N")[..8], "f-" + Guid.NewGuid().ToString("N")[..8]);
        using var rest = d.Admin();
        await using var hub = await d.Factory.ConnectHubAsync(protocol, rest, "&roles=admin");
        var uri = await PooledDeployment.CreateDatabaseAsync(server, "zhub");

        await hub.InvokeAsync("CreatePool", p, new { uri, weight = 0, options = new { k = 1 } }).Within();
        Assert.Equal(HubTestKit.Canonical((await rest.GetAsync($"/v2/pools/{p}?detailed=true")).Json),
            HubTestKit.Canonical(await hub.InvokeAsync<JsonNode>("GetPool", p, true).Within()));
        Assert.Equal(HubTestKit.Canonical((await rest.GetAsync("/v2/pools?limit=1&detailed=true")).Json),
            HubTestKit.Canonical(await hub.InvokeAsync<JsonNode>("ListPools", new { limit = 1, detailed = true }).Within()));
        var updated = await hub.InvokeAsync<JsonNode>("UpdatePool", p, new { weight = 7 }).Within();
        Assert.Equal(HubTestKit.Canonical((await rest.GetAsync($"/v2/pools/{p}")).Json), HubTestKit.Canonical(updated));
        Assert.Equal(7, updated["weight"]!.GetValue<long>());

        await hub.InvokeAsync("CreateFlavor", f, new { pool_list = new[] { p } }).Within();
        var flavor = await hub.InvokeAsync<JsonNode>("GetFlavor", f).Within();
        Assert.Equal(HubTestKit.Canonical((await rest.GetAsync($"/v2/flavors/{f}")).Json), HubTestKit.Canonical(flavor));
        Assert.Equal(HubTestKit.Canonical((await rest.GetAsync("/v2/flavors?detailed=true")).Json),
            HubTestKit.Canonical(await hub.InvokeAsync<JsonNode>("ListFlavors", new { detailed = true }).Within()));
        Assert.Equal(HubTestKit.Canonical(flavor),
            HubTestKit.Canonical(await hub.InvokeAsync<JsonNode>("UpdateFlavor", f, new { pool_list = new[] { p } }).Within()));

        var inUse = await HubTestKit.ZaqarErrorAsync(() => hub.InvokeAsync("DeletePool", p));
        Assert.Equal(HubTestKit.RestError(await rest.DeleteAsync($"/v2/pools/{p}")), inUse);
        await hub.InvokeAsync("DeleteFlavor", f).Within();
        await hub.InvokeAsync("DeletePool", p).Within();
        Assert.Equal(404, (await HubTestKit.ZaqarErrorAsync(() => hub.InvokeAsync<JsonNode>("GetPool", p, null))).Status);
    }

    [Theory]
    [BothProtocols]
    public async Task MethodsAnswerRestsErrors(HubWireProtocol protocol)
    {
        var d = deployment.Pools;
        using var rest = d.Admin();
        await using var admin = await d.Factory.ConnectHubAsync(protocol, rest, "&roles=admin");
        using var member = d.NewProject();
        await using var plain = await d.Factory.ConnectHubAsync(protocol, member);

        var badWeight = await HubTestKit.ZaqarErrorAsync(() => admin.InvokeAsync("CreatePool", "p", new { uri = "Host=x", weight = -1 }));
        var noDocument = await HubTestKit.ZaqarErrorAsync(() => admin.InvokeAsync("CreatePool", "p", (object?)null));
        var emptyList = await HubTestKit.ZaqarErrorAsync(() => admin.InvokeAsync("CreateFlavor", "f", new { pool_list = Array.Empty<string>() }));
        var forbidden = await HubTestKit.ZaqarErrorAsync(() => plain.InvokeAsync<JsonNode>("ListPools", (object?)null));
        var forbiddenFlavor = await HubTestKit.ZaqarErrorAsync(() => plain.InvokeAsync("DeleteFlavor", "f"));

        Assert.Equal(HubTestKit.RestError(await rest.PutAsync("/v2/pools/p", new { uri = "Host=x", weight = -1 })), badWeight);
        Assert.Equal(HubTestKit.RestError(await rest.SendAsync(HttpMethod.Put, "/v2/pools/p", string.Empty)), noDocument);
        Assert.Equal(HubTestKit.RestError(await rest.PutAsync("/v2/flavors/f", new { pool_list = Array.Empty<string>() })), emptyList);
        Assert.Equal(403, forbidden.Status);
        Assert.Equal("Not authorized", forbidden.Title);
        Assert.Equal(403, forbiddenFlavor.Status);
        // Reading flavors needs no role, as over REST.
        Assert.NotNull((await plain.InvokeAsync<JsonNode>("ListFlavors", (object?)null).Within())["flavors"]);
    }

    [Theory]
    [BothProtocols]
    public async Task MethodsAreNotFoundWithoutPooling(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var admin = await server.Factory.ConnectHubAsync(protocol, rest, "&roles=admin");

        var refused = await HubTestKit.ZaqarErrorAsync(() => admin.InvokeAsync<JsonNode>("ListPools", (object?)null));
        var flavors = await HubTestKit.ZaqarErrorAsync(() => admin.InvokeAsync<JsonNode>("GetFlavor", "f"));

        Assert.Equal(new ZaqarHubError(404, "404 Not Found", null), refused);
        Assert.Equal(new ZaqarHubError(404, "404 Not Found", null), flavors);
    }

    [Fact]
    public async Task APreSignedConnectionCanNotReachPoolMethods()
    {
        await using var d = await PooledDeployment.StartAsync(server, new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = "pool-secret" });
        using var rest = d.Admin();
        const string expires = "2099-01-01T00:00:00";
        var signature = SignedUrls.Sign("pool-secret", ["/v2/queues/shared/messages"], ["GET"], rest.Project, expires);
        var query = $"&roles=admin&url_signature={signature}&url_expires={Uri.EscapeDataString(expires)}&url_methods=GET&url_paths=/v2/queues/shared/messages";
        await using var signed = await d.Factory.ConnectHubAsync(HubWireProtocol.Json, rest, query);

        foreach (var (method, args) in new (string, object?[])[]
        {
            ("ListPools", [null]), ("GetPool", ["p", null]), ("CreatePool", ["p", new { uri = "Host=x", weight = 1 }]),
            ("ListFlavors", [null]), ("GetFlavor", ["f"]), ("DeleteFlavor", ["f"]),
        })
        {
            var refused = await HubTestKit.ZaqarErrorAsync(() => signed.InvokeAsync<JsonNode>(method, args));
            Assert.Equal(new ZaqarHubError(404, "404 Not Found", null), refused);
        }
        // The URL's own scope still works.
        Assert.NotNull(await signed.InvokeAsync<JsonNode>("ListMessages", "shared", null).Within());
    }
}
