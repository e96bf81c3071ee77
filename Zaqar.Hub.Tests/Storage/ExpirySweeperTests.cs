using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zaqar.Hub.Background;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>
/// The sweeper deletes by a clock; moved forward it would delete other tests' rows, so these tests run alone
/// (after the parallel ones).
/// </summary>
[CollectionDefinition(nameof(SweeperCollection), DisableParallelization = true)]
public sealed class SweeperCollection;

[Collection(nameof(SweeperCollection))]
public sealed class ExpirySweeperTests(ZaqarTestServer server)
{
    [Fact]
    public async Task SweeperDeletesExpiredMessagesAndClaimsAndKeepsLiveOnes()
    {
        await using var service = new ClockedService(server);
        using var client = service.NewProject();
        await client.PostAsync("/v2/queues/q/messages", new { messages = new object[] { new { body = "short", ttl = 60 }, new { body = "long", ttl = 3600 } } });
        await client.PostAsync("/v2/queues/q/claims", new { ttl = 60, grace = 60, limit = 1 });
        var sweeper = service.Factory.Services.GetRequiredService<ExpirySweeper>();

        service.Advance(60);
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, await CountAsync("messages", client.Project));
        Assert.Equal(0, await CountAsync("claims", client.Project));

        // The claimed short-lived message lives on for the grace period, then goes.
        service.Advance(60);
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, await CountAsync("messages", client.Project));
        Assert.Equal("long", (await client.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]![0]!["body"]!.GetValue<string>());
    }

    private async Task<long> CountAsync(string table, string project)
    {
        await using var conn = new NpgsqlConnection(server.Database.ConnectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(
            $"SELECT count(*) FROM {table} t JOIN queues q ON q.id = t.queue_id WHERE q.project = @p", conn);
        cmd.Parameters.AddWithValue("p", project);
        return (long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
