using System.Collections.Concurrent;
using System.Net;
using Zaqar.Hub.Tests.Cluster;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Infrastructure.Postgres;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>
/// The database is killed (SIGKILL of the postmaster: a crash, an OOM kill) under concurrent posting (issue 12): every
/// post the service acknowledged is there after PostgreSQL's crash recovery, once, with its body; posts refused while it
/// was down were answered 503, never 500. On a server of its own (a container where Docker runs), with commits that
/// reach the WAL before they are answered, as in production.
/// </summary>
[ExpectsServiceErrors("The database container is killed under load: the service logs the outage.")]
public sealed class DatabaseKillTests(DurablePrivatePostgres database) : IClassFixture<DurablePrivatePostgres>
{
    private const int Posters = 4;

    [Fact]
    public async Task NothingAcknowledgedIsLostWhenTheDatabaseIsKilledUnderLoad()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = ServiceNode.Start(new ZaqarFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage:SweepEnabled"] = "false",
        }));
        var project = TwoNodeTests.NewProject();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var phase = new PostingPhase();

        var posters = Enumerable.Range(0, Posters).Select(i => Task.Run(async () =>
        {
            using var rest = node.Rest(project);
            for (var n = 0; !phase.Done; n++)
            {
                var body = $"poster {i} message {n}";
                ZaqarClient.Response response;
                try
                {
                    response = await rest.PostAsync($"/v2/queues/q{i}/messages", new { messages = new[] { new { body } } });
                }
                catch (HttpRequestException)
                {
                    continue; // No answer: not acknowledged, so it may or may not be there.
                }
                statuses.Add(response.Status);
                if (response.Status == HttpStatusCode.Created)
                {
                    acknowledged[response.Json!["resources"]![0]!.GetValue<string>()] = body;
                    phase.CountAcknowledged();
                }
            }
        }, ct)).ToList();

        await phase.WaitForAcknowledgedAsync(200, ct);
        await database.Server.KillAsync(ct);
        var beforeKill = acknowledged.Count;
        await database.Server.StartAsync(ct);
        // Posting goes on until the service acknowledges again after the restart.
        await phase.WaitForAcknowledgedAsync(beforeKill + 100, ct);
        phase.Stop();
        await Task.WhenAll(posters);

        // The kill was felt (requests in flight lost their connections), and was answered as an outage, never as a 500.
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.DoesNotContain(statuses, s => (int)s >= 500 && s != HttpStatusCode.ServiceUnavailable);
        using var reader = node.Rest(project);
        var stored = new Dictionary<string, string>();
        for (var i = 0; i < Posters; i++)
        {
            foreach (var (href, body) in await ReadAllAsync(reader, $"q{i}"))
            {
                Assert.True(stored.TryAdd(href, body), $"{href} was listed twice");
            }
        }
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var body) || body != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged posts were lost or changed, e.g. {string.Join(", ", lost.Take(5))}");
    }

    /// <summary>Every message of a queue, paging with the marker: href to body.</summary>
    private static async Task<List<(string Href, string Body)>> ReadAllAsync(ZaqarClient client, string queue)
    {
        var all = new List<(string, string)>();
        var next = $"/v2/queues/{queue}/messages?echo=true&include_claimed=true&limit=20";
        while (true)
        {
            var page = await client.GetAsync(next);
            if (page.Status == HttpStatusCode.NoContent)
            {
                return all;
            }
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var messages = page.Json!["messages"]!.AsArray();
            if (messages.Count == 0)
            {
                return all;
            }
            all.AddRange(messages.Select(m => (m!["href"]!.GetValue<string>().Split('?')[0], m["body"]!.GetValue<string>())));
            next = page.Json["links"]!.AsArray().First(l => l!["rel"]!.GetValue<string>() == "next")!["href"]!.GetValue<string>();
        }
    }

    /// <summary>The posters' shared state: how many posts were acknowledged, and whether to go on.</summary>
    private sealed class PostingPhase
    {
        private int _acknowledged;
        private volatile bool _done;

        public bool Done => _done;

        public void CountAcknowledged() => Interlocked.Increment(ref _acknowledged);

        public void Stop() => _done = true;

        public async Task WaitForAcknowledgedAsync(int count, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (Volatile.Read(ref _acknowledged) < count)
            {
                await Task.Delay(20, timeout.Token);
            }
        }
    }
}
