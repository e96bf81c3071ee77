using System.Diagnostics;
using System.Net;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure.Postgres;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// PostgreSQL restarts under two nodes, listen connections break (issue #4): the listeners reconnect, push resumes, and
/// nothing posted around the restart is lost. On a PostgreSQL of their own, so the restarts disturb no other test
/// (the tests of one class run one at a time).
/// </summary>
[ExpectsServiceErrors("The database is stopped under the nodes: their listeners and requests log the outage.")]
public sealed class DatabaseRestartTests(PrivatePostgres database) : IClassFixture<PrivatePostgres>
{

    [Fact]
    public async Task ListenersReconnectAfterARestartAndNothingPostedAroundItIsLost()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:SweepEnabled"] = "false",
            ["Cluster:ReconnectMinDelayMilliseconds"] = "50",
            ["Cluster:ReconnectMaxDelayMilliseconds"] = "400",
            // No periodic polls during the test: what arrives came by notification or by the catch-up after reconnecting.
            ["Cluster:PollIntervalMilliseconds"] = "600000",
        };
        await using var a = ServiceNode.Start(new ZaqarFactory(database.ConnectionString, settings));
        await using var b = ServiceNode.Start(new ZaqarFactory(database.ConnectionString, settings));
        await WaitForListenersAsync(database.ConnectionString, 2);
        var project = TwoNodeTests.NewProject();
        await using var subscriber = await b.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "orders");
        using var restA = a.Rest(project);
        using var restB = b.Rest(project);

        var before = await restA.PostMessagesAsync("orders", "before");
        Assert.Equal(before, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
        var justBefore = await restA.PostMessagesAsync("orders", "just before the restart");

        await database.Server.StopAsync(ct);
        await database.Server.StartAsync(ct);

        // The first requests after the restart may meet pooled connections the restart broke (503).
        var afterOnA = await PostUntilAcceptedAsync(restA, "right after, on a");
        var afterOnB = await PostUntilAcceptedAsync(restB, "right after, on b");
        var pushed = await TwoNodeTests.ReceiveAsync(subscriber, 3);
        Assert.Equal(
            new[] { justBefore[0], afterOnA, afterOnB }.Order(),
            pushed.Select(p => p.Id).Order());

        await WaitForListenersAsync(database.ConnectionString, 2);
        var later = await restA.PostMessagesAsync("orders", "later");
        Assert.Equal(later, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
        await TwoNodeTests.AssertNothingMoreAsync(subscriber, TimeSpan.FromMilliseconds(300));
    }

    /// <summary>
    /// A post nobody announced (its node crashed after commit, here: publishing off) reaches the subscribers of a node
    /// as soon as that node's listener reconnects, without waiting for a poll.
    /// </summary>
    [Fact]
    public async Task ListenerCatchesUpRightAfterReconnecting()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:SweepEnabled"] = "false",
            ["Cluster:ReconnectMinDelayMilliseconds"] = "50",
            ["Cluster:PollIntervalMilliseconds"] = "600000",
        };
        await using var silent = ServiceNode.Start(new ZaqarFactory(database.ConnectionString, new Dictionary<string, string?>(settings) { ["Cluster:Publish"] = "false" }));
        await using var b = ServiceNode.Start(new ZaqarFactory(database.ConnectionString, settings));
        await WaitForListenersAsync(database.ConnectionString, 2);
        var project = TwoNodeTests.NewProject();
        await using var subscriber = await b.HubAsync(project);
        await subscriber.InvokeAsync("Subscribe", "orders");
        using var rest = silent.Rest(project);

        var unannounced = await rest.PostMessagesAsync("orders", "never announced");
        await TwoNodeTests.AssertNothingMoreAsync(subscriber, TimeSpan.FromMilliseconds(300));

        await using (var conn = new NpgsqlConnection(database.ConnectionString + ";Pooling=false"))
        {
            await conn.OpenAsync(ct);
            await using var kill = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'zaqarhub-listen'", conn);
            await kill.ExecuteNonQueryAsync(ct);
        }

        Assert.Equal(unannounced, (await TwoNodeTests.ReceiveAsync(subscriber, 1)).Select(p => p.Id));
        await TwoNodeTests.AssertNothingMoreAsync(subscriber, TimeSpan.FromMilliseconds(300));
    }

    private static async Task<string> PostUntilAcceptedAsync(ZaqarClient client, string body)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await client.PostAsync("/v2/queues/orders/messages", new { messages = new[] { new { body } } });
            if (response.Status == HttpStatusCode.Created)
            {
                return response.Json!["resources"]![0]!.GetValue<string>().Split('/')[^1];
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "posts kept failing after the restart");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the listen connections open are those of <paramref name="count"/> nodes.</summary>
    private static async Task WaitForListenersAsync(string connectionString, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString + ";Pooling=false");
                await conn.OpenAsync(TestContext.Current.CancellationToken);
                await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'zaqarhub-listen'", conn);
                // Exactly: the listen connections of a previous test's nodes may take a moment to go.
                if ((long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == count)
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // Not up yet.
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the listeners did not connect");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
