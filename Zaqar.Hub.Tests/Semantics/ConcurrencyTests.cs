using System.Collections.Concurrent;
using System.Net;
using Zaqar.Data;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Semantics;

/// <summary>What users of a queue rely on under concurrency (issue #2), through the REST API on real PostgreSQL.</summary>
public sealed class ConcurrencyTests(ZaqarTestServer server)
{
    [Fact]
    public async Task EightConcurrentClaimersTakeEachOfTwoThousandMessagesExactlyOnce()
    {
        using var client = server.NewProject();
        var posted = new List<string>();
        for (var batch = 0; batch < 20; batch++)
        {
            posted.AddRange(await client.PostMessagesAsync("work", Enumerable.Range(batch * 100, 100).Select(i => (object)new { n = i }).ToArray()));
        }
        Assert.Equal(2000, posted.Distinct().Count());

        var claimedBy = new ConcurrentDictionary<string, string>();
        var duplicates = new ConcurrentBag<string>();
        var deleted = new ConcurrentBag<string>();
        async Task ClaimerAsync()
        {
            using var claimer = new ZaqarClient(server.Factory.CreateClient(), client.Project, Guid.NewGuid().ToString());
            while (true)
            {
                var claim = await claimer.PostAsync("/v2/queues/work/claims?limit=20", new { ttl = 300, grace = 60 });
                if (claim.Status == HttpStatusCode.NoContent)
                {
                    return;
                }
                Assert.Equal(HttpStatusCode.Created, claim.Status);
                var claimId = claim.Location!.Split('/')[^1];
                foreach (var message in claim.Json!["messages"]!.AsArray())
                {
                    var id = message!["id"]!.GetValue<string>();
                    if (!claimedBy.TryAdd(id, claimId))
                    {
                        duplicates.Add(id);
                    }
                    var delete = await claimer.DeleteAsync(message["href"]!.GetValue<string>());
                    Assert.Equal(HttpStatusCode.NoContent, delete.Status);
                    deleted.Add(id);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(ClaimerAsync, TestContext.Current.CancellationToken)));

        Assert.Empty(duplicates);
        Assert.Equal(posted.Order(), claimedBy.Keys.Order());
        Assert.Equal(posted.Order(), deleted.Order());
        Assert.Equal(0, (await client.GetAsync("/v2/queues/work/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task MarkerFollowingReaderSeesEveryMessageOfConcurrentPostersInOrder()
    {
        using var client = server.NewProject();
        const int posters = 4, batchesPerPoster = 60, batchSize = 5;
        var postersDone = 0;
        var posted = new ConcurrentBag<string>();

        async Task PosterAsync(int poster)
        {
            using var own = new ZaqarClient(server.Factory.CreateClient(), client.Project, Guid.NewGuid().ToString());
            for (var b = 0; b < batchesPerPoster; b++)
            {
                foreach (var id in await own.PostMessagesAsync("stream", Enumerable.Range(0, batchSize).Select(i => (object)new { poster, b, i }).ToArray()))
                {
                    posted.Add(id);
                }
            }
            Interlocked.Increment(ref postersDone);
        }

        var seen = new List<string>();
        async Task ReaderAsync()
        {
            string? marker = null;
            while (true)
            {
                // Read the flag before the page: an empty page after all posters finished means the end.
                var finished = Volatile.Read(ref postersDone) == posters;
                var path = "/v2/queues/stream/messages?limit=20&echo=true" + (marker is null ? string.Empty : "&marker=" + marker);
                var page = (await client.GetAsync(path)).Json!["messages"]!.AsArray();
                if (page.Count == 0)
                {
                    if (finished)
                    {
                        return;
                    }
                    await Task.Yield();
                    continue;
                }
                foreach (var message in page)
                {
                    seen.Add(message!["id"]!.GetValue<string>());
                }
                marker = seen[^1];
            }
        }

        var reader = Task.Run(ReaderAsync, TestContext.Current.CancellationToken);
        await Task.WhenAll(Enumerable.Range(0, posters).Select(p => Task.Run(() => PosterAsync(p), TestContext.Current.CancellationToken)));
        await reader;

        Assert.Equal(posters * batchesPerPoster * batchSize, posted.Count);
        Assert.Equal(posted.Order(), seen.Order());
        var positions = seen.Select(id => MessageIds.SeqOf(Guid.Parse(id))).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
    }
}
