using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Data.Stores;

namespace Zaqar.Bench;

/// <summary>The REST API driven over keep-alive HTTP/1.1 connections.</summary>
internal sealed class RestScenarios(BenchHost host, BenchOptions options) : IDisposable
{
    private readonly HttpClient _http = CreateClient(host.BaseAddress, options.Connections);
    private readonly byte[] _postBatch = Payloads.PostDocument(10);
    private readonly byte[] _postOne = Payloads.PostDocument(1);

    /// <summary>Posting batches of 10 (or 1) messages of 256 bytes, to one queue or spread over one queue per worker.</summary>
    public Task<ScenarioResult> PostBatchesAsync(string name, bool spread, int batchSize = 10)
    {
        var document = batchSize == 10 ? _postBatch : _postOne;
        var project = "bench-post-" + Guid.NewGuid().ToString("N")[..8];
        return LoadRunner.RunAsync(name, options.Connections, options.Duration, async worker =>
        {
            var queue = spread ? $"q{worker}" : "q";
            using var request = Request(HttpMethod.Post, $"/v2/queues/{queue}/messages", project);
            request.Content = new ByteArrayContent(document);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.SendAsync(request);
            Expect(response, HttpStatusCode.Created);
            return batchSize;
        });
    }

    /// <summary>Claiming 10 messages and bulk-deleting them by ids and claim id, from a pre-filled queue.</summary>
    public async Task<ScenarioResult> ClaimAndDeleteAsync(string name, int prefill)
    {
        var project = "bench-claim-" + Guid.NewGuid().ToString("N")[..8];
        await PrefillAsync(project, "work", prefill);
        return await LoadRunner.RunAsync(name, options.Connections, options.Duration,
            _ => ClaimAndDeleteAsync(_http, (method, path) => Request(method, path, project), "work", "{\"ttl\":300,\"grace\":60}"));
    }

    /// <summary>
    /// Claims up to 10 messages of <paramref name="queue"/> with <paramref name="claim"/> (the claim document) and
    /// bulk-deletes them by ids and claim id; returns how many (0: nothing to claim).
    /// </summary>
    public static async Task<int> ClaimAndDeleteAsync(HttpClient http, Func<HttpMethod, string, HttpRequestMessage> request, string queue, string claim)
    {
        using var create = request(HttpMethod.Post, $"/v2/queues/{queue}/claims?limit=10");
        create.Content = new StringContent(claim, MediaTypeHeaderValue.Parse("application/json"));
        using var claimed = await http.SendAsync(create);
        if (claimed.StatusCode == HttpStatusCode.NoContent)
        {
            return 0;
        }
        Expect(claimed, HttpStatusCode.Created);
        var claimId = claimed.Headers.Location!.OriginalString.Split('/')[^1];
        using var document = await JsonDocument.ParseAsync(await claimed.Content.ReadAsStreamAsync());
        var ids = document.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        using var delete = request(HttpMethod.Delete, $"/v2/queues/{queue}/messages?ids={string.Join(",", ids)}&claim_ids={claimId}");
        using var deleted = await http.SendAsync(delete);
        Expect(deleted, HttpStatusCode.NoContent);
        return ids.Count;
    }

    /// <summary>
    /// The reads a dashboard makes (issue 12): the first page of 10 messages of a delayed queue (the listing reads the
    /// queue's settings), then a detailed page of 10 queues filtered by metadata. Counts pages read.
    /// </summary>
    public async Task<ScenarioResult> ListAsync(string name)
    {
        var project = "bench-list-" + Guid.NewGuid().ToString("N")[..8];
        // Prefilled (straight on the store, as a queue without metadata) before its metadata makes it a delayed queue.
        await PrefillAsync(project, "q00", 200);
        using (var patch = Request(HttpMethod.Patch, "/v2/queues/q00", project))
        {
            patch.Content = new StringContent(
                """[{"op":"add","path":"/metadata/_default_message_delay","value":1},{"op":"add","path":"/metadata/shard","value":1}]""",
                MediaTypeHeaderValue.Parse("application/openstack-messaging-v2.0-json-patch"));
            using var patched = await _http.SendAsync(patch);
            Expect(patched, HttpStatusCode.OK);
        }
        for (var i = 1; i < 20; i++)
        {
            using var create = Request(HttpMethod.Put, $"/v2/queues/q{i:D2}", project);
            create.Content = new StringContent($$"""{"_default_message_delay": 1, "shard": {{i % 2}}}""", MediaTypeHeaderValue.Parse("application/json"));
            using var created = await _http.SendAsync(create);
            Expect(created, HttpStatusCode.Created);
        }
        return await LoadRunner.RunAsync(name, options.Connections, options.Duration, async _ =>
        {
            using var messages = Request(HttpMethod.Get, "/v2/queues/q00/messages?echo=true&include_delayed=true&limit=10", project);
            using var page = await _http.SendAsync(messages);
            Expect(page, HttpStatusCode.OK);
            using var queues = Request(HttpMethod.Get, "/v2/queues?detailed=true&limit=10&shard=1", project);
            using var listed = await _http.SendAsync(queues);
            Expect(listed, HttpStatusCode.OK);
            return 2;
        });
    }

    /// <summary>
    /// The same claim + delete straight on the stores (no HTTP, no API layer): splits the REST figure into what
    /// the database costs and what the transport costs.
    /// </summary>
    public async Task<ScenarioResult> StoreClaimAndDeleteAsync(string name, int prefill)
    {
        var project = "bench-store-" + Guid.NewGuid().ToString("N")[..8];
        await PrefillAsync(project, "work", prefill);
        var claims = host.Services.GetRequiredService<ClaimStore>();
        var messages = host.Services.GetRequiredService<MessageStore>();
        return await LoadRunner.RunAsync(name, options.Connections, options.Duration, async _ =>
        {
            var claimId = Guid.NewGuid();
            var now = DateTime.UtcNow;
            var claimed = await claims.CreateAsync(new Zaqar.Data.QueueRef(project, "work"), claimId, 300, 60, 10, now, CancellationToken.None);
            if (claimed.Count == 0)
            {
                return 0;
            }
            await messages.DeleteManyAsync(new Zaqar.Data.QueueRef(project, "work"), claimed.Select(m => m.Id).ToList(), [claimId], now, CancellationToken.None);
            return claimed.Count;
        });
    }

    /// <summary>
    /// Posting batches of <paramref name="batchSize"/> straight through the message store, one queue, no transport and no
    /// API layer (nor the observers: no push, no cross-node announcement): what storage alone does, combining included.
    /// </summary>
    public Task<ScenarioResult> StorePostAsync(string name, int batchSize)
    {
        var queue = new Zaqar.Data.QueueRef("bench-store-" + Guid.NewGuid().ToString("N")[..8], "q");
        var batch = Enumerable.Repeat(new NewMessage(Payloads.Body, 3600, 0), batchSize).ToArray();
        var messages = host.Services.GetRequiredService<MessageStore>();
        return LoadRunner.RunAsync(name, options.Connections, options.Duration, async _ =>
        {
            var posted = await messages.PostAsync(queue, batch, null, DateTime.UtcNow, metadataVersion: 0, CancellationToken.None);
            return posted.Length;
        });
    }

    /// <summary>Fills a queue through the store directly (fast), so the claim scenario measures only claiming.</summary>
    private Task PrefillAsync(string project, string queue, int count) => PrefillAsync(host, project, queue, count);

    /// <summary>Fills a queue through the store directly (fast), so claim scenarios measure only claiming.</summary>
    public static async Task PrefillAsync(BenchHost host, string project, string queue, int count)
    {
        if (host.External)
        {
            await PrefillOverRestAsync(host.BaseAddress, project, queue, count);
            return;
        }
        var store = host.Services.GetRequiredService<MessageStore>();
        var batch = Enumerable.Repeat(new NewMessage(Payloads.Body, 3600, 0), 1000).ToArray();
        for (var posted = 0; posted < count; posted += batch.Length)
        {
            await store.PostAsync(new Zaqar.Data.QueueRef(project, queue), batch, null, DateTime.UtcNow, metadataVersion: 0, CancellationToken.None);
        }
        // Measure the steady state: statistics as autovacuum would have them after such a load.
        await using var analyze = host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("ANALYZE messages");
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Fills a queue of a service running elsewhere (<c>--service</c>): posts of 10 from 16 workers.</summary>
    private static async Task PrefillOverRestAsync(Uri service, string project, string queue, int count)
    {
        using var http = new HttpClient { BaseAddress = service };
        var body = JsonSerializer.Serialize(new { messages = Enumerable.Repeat(new { body = JsonDocument.Parse(Payloads.Body).RootElement, ttl = 3600 }, 10) });
        var left = count;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Add(ref left, -10) > -10)
            {
                using var request = Request(HttpMethod.Post, $"/v2/queues/{queue}/messages", project, body);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }));
    }

    /// <summary>A request of <paramref name="project"/>, with <paramref name="json"/> as its body when given.</summary>
    internal static HttpRequestMessage Request(HttpMethod method, string path, string project, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Client-ID", "3f1b0a2e-8d4c-4e7a-9b1c-2a3b4c5d6e7f");
        request.Headers.Add("X-Project-ID", project);
        if (json is not null)
        {
            request.Content = new StringContent(json, MediaTypeHeaderValue.Parse("application/json"));
        }
        return request;
    }

    public static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}");
        }
    }

    internal static HttpClient CreateClient(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        BaseAddress = baseAddress,
    };

    public void Dispose() => _http.Dispose();
}
