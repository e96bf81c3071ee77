using System.Net;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 10: what held when the service was killed with SIGKILL under load stays held: no acknowledged post is lost, and no
/// message is ever under two live claims. The service runs as a separate process on the run's PostgreSQL, killed mid-load
/// and started again on the same port; the clients keep going through it.
/// </summary>
public sealed class ServiceKillTests(ZaqarTestServer server)
{
    private const string Queue = "orders";

    [Fact]
    public async Task NoAcknowledgedPostIsLostWhenTheServiceIsKilledUnderConcurrentLoad()
    {
        var port = LoopbackPort.Free();
        var project = NewProject();
        await using var first = await ServiceProcess.StartAsync(Environment(), port);
        await using var posters = Posters.Start(first.Address, project, Queue, clients: 8);
        await posters.WaitForAsync(300);

        first.Kill();
        var beforeKill = posters.Ids.Count;
        await using var second = await ServiceProcess.StartAsync(Environment(), port);
        await posters.WaitForAsync(beforeKill + 300);
        await posters.StopAsync();

        using var rest = second.Rest(project);
        await Posters.AssertAllReadableAsync(rest, Queue, posters.Ids);
        var total = (await rest.GetAsync($"/v2/queues/{Queue}/stats")).Json!["messages"]!["total"]!.GetValue<long>();
        // Posts committed as the service died were never acknowledged: more may be stored, never fewer.
        Assert.True(total >= posters.Ids.Count, $"{total} stored, {posters.Ids.Count} acknowledged");
    }

    [Fact]
    public async Task NoMessageIsUnderTwoLiveClaimsAcrossAKillOfTheService()
    {
        const int claimers = 6, limit = 5;
        var port = LoopbackPort.Free();
        var project = NewProject();
        await using var first = await ServiceProcess.StartAsync(Environment(), port);
        using var rest = first.Rest(project);
        var posted = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            posted.AddRange(await rest.PostMessagesAsync(Queue, Enumerable.Range(0, 20).Select(j => (object)$"m{i}-{j}").ToArray()));
        }
        // Claims outlive the test, so every claim made is live until the end: a message must never be in two.
        await using var claiming = Claimers.Start(first.Address, project, Queue, claimers, limit, ttl: 600);
        await claiming.WaitForAsync(posted.Count / 3);

        first.Kill();
        await using var second = await ServiceProcess.StartAsync(Environment(), port);
        await claiming.FinishAsync();

        var claims = claiming.Claims;
        foreach (var pair in claims.SelectMany(c => c.MessageIds, (claim, id) => (id, claim)).GroupBy(p => p.id).Where(g => g.Count() > 1))
        {
            var (a, b) = (pair.First().claim, pair.Last().claim);
            Assert.False(a.CertainlyOverlaps(b), $"message {pair.Key} is in claims {a.ClaimId} and {b.ClaimId}, live at the same time");
        }
        var recorded = claims.SelectMany(c => c.MessageIds).ToHashSet();
        Assert.Subset(posted.ToHashSet(), recorded);
        // Claims the service made as it died were never acknowledged: at most one in flight per claimer.
        var unacknowledged = posted.Count - recorded.Count;
        Assert.InRange(unacknowledged, 0, claimers * limit);
        using var after = second.Rest(project);
        var stats = (await after.GetAsync($"/v2/queues/{Queue}/stats")).Json!["messages"]!;
        Assert.Equal(posted.Count, stats["total"]!.GetValue<long>());
        Assert.Equal(posted.Count, stats["claimed"]!.GetValue<long>());
    }

    private static string NewProject() => "kill-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The run's database; the sweeper and notification delivery stay off, as on every other test instance.</summary>
    private Dictionary<string, string?> Environment() => new()
    {
        ["ConnectionStrings__Zaqar"] = server.Database.ConnectionString,
        ["Storage__SweepEnabled"] = "false",
        ["Notifications__DispatcherEnabled"] = "false",
    };
}
