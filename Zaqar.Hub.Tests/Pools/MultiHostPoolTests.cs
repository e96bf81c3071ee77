using System.Net;
using System.Net.Sockets;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// A pool on a highly available PostgreSQL (issue 16, deploy/cluster.sh): its uri lists every member of the cluster with
/// Target Session Attributes=read-write, and the service works with whichever member accepts writes, whatever the order.
/// </summary>
public sealed class MultiHostPoolTests(ZaqarTestServer server)
{
    [Fact]
    public async Task APoolWhoseUriListsAnUnreachableMemberFirstIsServedByTheMemberThatAnswers()
    {
        await using var d = await PooledDeployment.StartAsync(server);
        var database = new NpgsqlConnectionStringBuilder(await PooledDeployment.CreateDatabaseAsync(server, "zmulti"));
        // The first member is down (nothing listens on its port): Npgsql moves on to the next one, as after a failover.
        var uri = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = $"127.0.0.1:{UnusedPort()},{database.Host}:{database.Port}",
            TargetSessionAttributes = "read-write",
        };
        using var admin = d.Admin();
        var registered = await admin.PutAsync("/v2/pools/ha", new { uri = uri.ConnectionString, weight = 1 });
        Assert.True(registered.Status == HttpStatusCode.Created, registered.Text);

        using var tenant = d.NewProject();
        await tenant.PostMessagesAsync("jobs", "first", "second");
        var (_, claimed) = await tenant.ClaimAsync("jobs", limit: 1);

        Assert.Equal("ha", await d.CatalogueAsync(tenant.Project, "jobs"));
        Assert.Equal(1, await PooledDeployment.QueueRowsAsync(database.ConnectionString, tenant.Project, "jobs"));
        Assert.Equal("\"first\"", Assert.Single(claimed)!["body"]!.ToJsonString());
        // Every check of readiness passes, the pool's and its listen connection's included.
        var ready = await admin.GetAsync("/health/ready");
        Assert.True(ready.Status == HttpStatusCode.OK, ready.Text);
    }

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
