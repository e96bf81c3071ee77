using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Infrastructure.Postgres;
using Zaqar.Hub.Tests.Pools;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 15: /health/live and /health/ready for orchestrators, apart from Zaqar's /v2/ping and /v2/health: ready while the
/// databases answer with migrations applied and the listen connections are open; not ready while a pool is down or the
/// host is stopping; live throughout. No authentication, and no tenant's data in the answers.
/// </summary>
[ExpectsServiceErrors("A pool database is stopped mid-test: requests routed to it log the outage.")]
public sealed class HealthEndpointTests(ZaqarTestServer server, PrivatePostgres remote) : IClassFixture<PrivatePostgres>
{
    [Fact]
    public async Task AHealthyNodeIsLiveAndReadyWithEveryCheckReported()
    {
        using var anonymous = server.Factory.CreateClient();
        var ready = await UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK);
        Assert.Equal("healthy", ready["status"]!.GetValue<string>());
        var checks = ready["checks"]!.AsObject();
        Assert.Equal(["host", "database", "pools", "cluster_listener"], checks.Select(c => c.Key));
        Assert.All(checks, c => Assert.Equal("healthy", c.Value!["status"]!.GetValue<string>()));
        Assert.Equal("connected", checks["cluster_listener"]!["data"]!["(primary)"]!.GetValue<string>());

        var live = await anonymous.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", JsonNode.Parse(await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task APoolThatIsDownMakesTheNodeNotReadyUntilItAnswersAgainWhileLiveStaysUp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var d = await PooledDeployment.StartAsync(server);
        using var admin = d.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/pools/remote", new { uri = remote.ConnectionString, weight = 1 })).Status);
        using var tenant = d.NewProject();
        await tenant.CreateQueueAsync("secret-queue-name");
        await tenant.PostMessagesAsync("secret-queue-name", "secret body");
        using var probe = d.Factory.CreateClient();
        await UntilAsync(probe, "/health/ready", HttpStatusCode.OK);
        // Read while the server runs: a stopped container has no mapped port to build a connection string from.
        var remoteHost = remote.ConnectionString.Split(';')[0];

        await remote.Server.StopAsync(ct);
        try
        {
            var notReady = await UntilAsync(probe, "/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", notReady["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", notReady["checks"]!["pools"]!["status"]!.GetValue<string>());
            Assert.Equal("down", notReady["checks"]!["pools"]!["data"]!["remote"]!.GetValue<string>());
            Assert.Equal("healthy", notReady["checks"]!["database"]!["status"]!.GetValue<string>());
            var text = notReady.ToJsonString();
            Assert.DoesNotContain(tenant.Project, text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
            Assert.DoesNotContain(remoteHost, text, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live", ct)).StatusCode);
        }
        finally
        {
            await remote.Server.StartAsync(ct);
        }

        // The listen connection comes back with its reconnect backoff.
        var readyAgain = await UntilAsync(probe, "/health/ready", HttpStatusCode.OK, timeoutSeconds: 60);
        Assert.Equal("connected", readyAgain["checks"]!["cluster_listener"]!["data"]!["remote"]!.GetValue<string>());
    }

    [Fact]
    public async Task AProbeWithATimeoutGetsNotReadyNamingThePoolWhenThePoolGoesSilentAndReadyOnceItAnswers()
    {
        // Issue 16: a partition loses packets rather than refusing connections; the pool is reached through a link that
        // goes silent (nothing crosses, nothing is refused), and the probe has a timeout as an orchestrator's does.
        var ct = TestContext.Current.CancellationToken;
        var direct = new NpgsqlConnectionStringBuilder(remote.ConnectionString);
        await using var link = new CuttableLink(new Uri($"tcp://{direct.Host}:{direct.Port}"));
        var throughLink = new NpgsqlConnectionStringBuilder(remote.ConnectionString) { Host = "127.0.0.1", Port = link.Address.Port }.ConnectionString;
        await using var d = await PooledDeployment.StartAsync(server);
        using var admin = d.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/v2/pools/silent", new { uri = throughLink, weight = 1 })).Status);
        using var probe = d.Factory.CreateClient();
        probe.Timeout = TimeSpan.FromSeconds(15);
        await UntilAsync(probe, "/health/ready", HttpStatusCode.OK);

        link.Silent = true;
        try
        {
            var notReady = await UntilAsync(probe, "/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", notReady["checks"]!["pools"]!["status"]!.GetValue<string>());
            Assert.Equal("down", notReady["checks"]!["pools"]!["data"]!["silent"]!.GetValue<string>());
            Assert.Equal("healthy", notReady["checks"]!["database"]!["status"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live", ct)).StatusCode);
        }
        finally
        {
            link.Silent = false;
        }

        Assert.Equal("healthy", (await UntilAsync(probe, "/health/ready", HttpStatusCode.OK, timeoutSeconds: 60))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AProbeGetsNotReadyAndNeverAServerErrorWhileThePrimaryDatabaseIsSilent()
    {
        // Issue 16: EF Core's check, left running on a silent connection, must not break the probe that left it.
        var ct = TestContext.Current.CancellationToken;
        var database = new NpgsqlConnectionStringBuilder(await PooledDeployment.CreateDatabaseAsync(server, "zsilent"));
        await using var link = new CuttableLink(new Uri($"tcp://{database.Host}:{database.Port}"));
        database.Host = "127.0.0.1";
        database.Port = link.Address.Port;
        await using var factory = new ZaqarFactory(database.ConnectionString);
        using var probe = factory.CreateClient();
        probe.Timeout = TimeSpan.FromSeconds(15);
        await UntilAsync(probe, "/health/ready", HttpStatusCode.OK);

        link.Silent = true;
        try
        {
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await probe.GetAsync("/health/ready", ct);
                answers.Add(response.StatusCode);
                if (i == 3)
                {
                    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                    Assert.Equal("unhealthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
                }
            }
            Assert.All(answers, status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live", ct)).StatusCode);
        }
        finally
        {
            link.Silent = false;
        }

        await UntilAsync(probe, "/health/ready", HttpStatusCode.OK, timeoutSeconds: 60);
    }

    [Fact]
    public async Task ANodeThatIsStoppingIsNotReadyButStillLive()
    {
        var holdStop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = server.CreateFactory(services: s => s.AddHostedService(_ => new StopHolder(holdStop.Task)));
        try
        {
            using var probe = factory.CreateClient();
            await UntilAsync(probe, "/health/ready", HttpStatusCode.OK);
            factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            // Hosted services stop before the server does: while one holds its stop, the node still answers.
            var stopping = await UntilAsync(probe, "/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal("unhealthy", stopping["checks"]!["host"]!["status"]!.GetValue<string>());
            Assert.Equal("The node is stopping.", stopping["checks"]!["host"]!["description"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            holdStop.TrySetResult();
            await factory.DisposeAsync();
        }
    }

    private static async Task<JsonNode> UntilAsync(HttpClient client, string path, HttpStatusCode status, int timeoutSeconds = 30)
    {
        var (_, json) = await DeliveryWaits.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
                return (response.StatusCode, Json: JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!);
            },
            r => r.StatusCode == status, timeoutSeconds, $"{path} to answer {(int)status}");
        return json;
    }

    /// <summary>A hosted service whose stop waits until released: the host is stopping, and still serving, meanwhile.</summary>
    private sealed class StopHolder(Task release) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

        public Task StopAsync(CancellationToken ct) => release.WaitAsync(ct);
    }
}
