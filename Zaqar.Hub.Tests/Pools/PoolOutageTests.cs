using System.Net;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Infrastructure.Postgres;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// One pool's failure fails only its queues (issue #6): a pool on a PostgreSQL of its own is stopped; its queues answer
/// 503 while the other pool's keep working, and come back when it does.
/// </summary>
/// <remarks>The pool that goes down is a PostgreSQL server of its own (a container where Docker runs), so stopping it disturbs no other test.</remarks>
[ExpectsServiceErrors("A pool database is stopped mid-test: requests routed to it log the outage.")]
public sealed class PoolOutageTests(ZaqarTestServer server, PrivatePostgres remote) : IClassFixture<PrivatePostgres>
{

    [Fact]
    public async Task APoolThatIsDownFailsOnlyItsOwnQueuesAndRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var d = await PooledDeployment.StartAsync(server);
        await d.AddPoolAsync("local", weight: 1);
        using var admin = d.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/pools/remote", new { uri = remote.ConnectionString, weight = 1 })).Status);
        await admin.PutAsync("/v2/flavors/local", new { pool_list = new[] { "local" } });
        await admin.PutAsync("/v2/flavors/remote", new { pool_list = new[] { "remote" } });
        using var tenant = d.NewProject();
        await tenant.CreateQueueAsync("near", new { _flavor = "local" });
        await tenant.CreateQueueAsync("far", new { _flavor = "remote" });
        await tenant.PostMessagesAsync("far", "before");
        await using var hub = await d.Factory.ConnectHubAsync(HubWireProtocol.Json, tenant);

        await remote.Server.StopAsync(ct);
        try
        {
            (await tenant.PostAsync("/v2/queues/far/messages", new { messages = new[] { new { body = 1 } } }))
                .AssertError(HttpStatusCode.ServiceUnavailable, "Service temporarily unavailable", "Messages could not be enqueued.");
            (await tenant.GetAsync("/v2/queues/far/messages")).AssertError(HttpStatusCode.ServiceUnavailable, "Service temporarily unavailable");
            (await tenant.GetAsync("/v2/queues/far/stats")).AssertError(HttpStatusCode.ServiceUnavailable, "Service temporarily unavailable");
            var hubError = await HubTestKit.ZaqarErrorAsync(() => hub.InvokeAsync<object>("GetQueueStats", "far"));
            Assert.Equal(503, hubError.Status);

            // The other pool's queue works throughout, and so does the listing, which reads the catalogue.
            await tenant.PostMessagesAsync("near", "during");
            var (claimId, _) = await tenant.ClaimAsync("near", limit: 1);
            Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync($"/v2/queues/near/claims/{claimId}")).Status);
            Assert.Equal(1, (await hub.InvokeAsync<System.Text.Json.Nodes.JsonNode>("GetQueueStats", "near").Within())["messages"]!["total"]!.GetValue<long>());
            Assert.Equal(["far", "near"], (await tenant.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
            Assert.Equal(HttpStatusCode.NoContent, (await tenant.GetAsync("/v2/ping")).Status);

            var health = (await admin.GetAsync("/v2/health")).Json!;
            Assert.True(health["catalog_reachable"]!.GetValue<bool>());
            Assert.True(health["local"]!["storage_reachable"]!.GetValue<bool>());
            Assert.All(health["local"]!["operation_status"]!.AsObject(), o => Assert.True(o.Value!["succeeded"]!.GetValue<bool>(), o.Key));
            Assert.False(health["remote"]!["storage_reachable"]!.GetValue<bool>());
            Assert.Empty(health["remote"]!["operation_status"]!.AsObject());
        }
        finally
        {
            await remote.Server.StartAsync(ct);
        }

        // The first requests after the restart may meet pooled connections the stop broke.
        await DeliveryWaits.UntilAsync(
            async () => (await tenant.PostAsync("/v2/queues/far/messages", new { messages = new[] { new { body = "after" } } })).Status,
            status => status == HttpStatusCode.Created, timeoutSeconds: 20, "the remote pool to answer again");
        var bodies = (await tenant.GetAsync("/v2/queues/far/messages?echo=true")).Json!["messages"]!.AsArray().Select(m => m!["body"]!.ToJsonString());
        Assert.Equal(["\"before\"", "\"after\""], bodies);
        Assert.True((await admin.GetAsync("/v2/health")).Json!["remote"]!["storage_reachable"]!.GetValue<bool>());
    }

    /// <summary>The cold paths run through EF Core on the queue's own pool (issue 12 item 11), and fail as the hot ones do.</summary>
    [Fact]
    public async Task MetadataSubscriptionsAndDetailedListingsOfADownPoolAnswer503AndComeBackWithIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var d = await PooledDeployment.StartAsync(server);
        using var admin = d.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/pools/remote", new { uri = remote.ConnectionString, weight = 1 })).Status);
        using var tenant = d.NewProject();
        await tenant.CreateQueueAsync("far", new { color = "blue" });
        var subscribed = await tenant.PostAsync("/v2/queues/far/subscriptions", new { subscriber = "http://127.0.0.1:9/hook", ttl = 3600 });
        Assert.Equal(HttpStatusCode.Created, subscribed.Status);
        var subscription = subscribed.Json!["subscription_id"]!.GetValue<string>();

        await remote.Server.StopAsync(ct);
        try
        {
            const string Unavailable = "Service temporarily unavailable";
            (await tenant.GetAsync("/v2/queues/far")).AssertError(HttpStatusCode.ServiceUnavailable, Unavailable);
            (await tenant.PatchAsync("/v2/queues/far", new[] { new { op = "add", path = "/metadata/size", value = 1 } }))
                .AssertError(HttpStatusCode.ServiceUnavailable, Unavailable);
            (await tenant.GetAsync("/v2/queues/far/subscriptions")).AssertError(HttpStatusCode.ServiceUnavailable, Unavailable);
            (await tenant.GetAsync($"/v2/queues/far/subscriptions/{subscription}")).AssertError(HttpStatusCode.ServiceUnavailable, Unavailable);
            (await tenant.GetAsync("/v2/queues?detailed=true")).AssertError(HttpStatusCode.ServiceUnavailable, Unavailable);
            // The plain listing reads only the catalogue, in the primary database.
            Assert.Equal(["far"], (await tenant.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        }
        finally
        {
            await remote.Server.StartAsync(ct);
        }

        // The first requests after the restart may meet pooled connections the stop broke.
        await DeliveryWaits.UntilAsync(
            async () => (await tenant.GetAsync("/v2/queues/far")).Status, status => status == HttpStatusCode.OK, timeoutSeconds: 20,
            "the remote pool to answer again");
        Assert.Equal("blue", (await tenant.GetAsync("/v2/queues/far")).Json!["color"]!.GetValue<string>());
        var listed = (await tenant.GetAsync("/v2/queues/far/subscriptions")).Json!["subscriptions"]!.AsArray();
        Assert.Equal([subscription], listed.Select(s => s!["id"]!.GetValue<string>()));
        var detailed = (await tenant.GetAsync("/v2/queues?detailed=true")).Json!["queues"]!.AsArray();
        Assert.Equal("blue", Assert.Single(detailed)!["metadata"]!["color"]!.GetValue<string>());
    }
}
