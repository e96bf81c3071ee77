using System.Text;
using System.Text.Json;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The fuzzer's set-up of each worker's state, its bookkeeping of stored mutated values, and the final liveness check.</summary>
public sealed partial class RestFuzzer
{
    /// <summary>The run's pools (weight 0: no queue is placed on them unless a case says so) and a flavor over the first.</summary>
    private async Task SetUpCatalogAsync(FuzzWorker admin, CancellationToken ct)
    {
        using var client = new RawHttpClient(_target.BaseUri);
        foreach (var pool in admin.Pools)
        {
            await ExpectAsync(client, admin, "PUT", $"/v2/pools/{pool}", JsonSerializer.Serialize(new { uri = admin.PoolUri(pool), weight = 0 }), ct);
        }
        await ExpectAsync(client, admin, "PUT", $"/v2/flavors/{admin.Flavors[0]}", JsonSerializer.Serialize(new { pool_list = new[] { admin.Pools[0] } }), ct);
    }

    /// <summary>Queues and topics with messages, a claim, subscriptions, a pre-signed URL and a hub connection token: things for paths to name.</summary>
    private async Task SetUpAsync(FuzzWorker worker, CancellationToken ct)
    {
        using var client = new RawHttpClient(_target.BaseUri);
        foreach (var queue in worker.Queues)
        {
            await ExpectAsync(client, worker, "PUT", $"/v2/queues/{queue}", "{}", ct);
        }
        foreach (var topic in worker.Topics)
        {
            await ExpectAsync(client, worker, "PUT", $"/v2/topics/{topic}", "{}", ct);
        }
        string Messages(int n) => JsonSerializer.Serialize(new { messages = Enumerable.Range(0, n).Select(i => new { body = new { n = i }, ttl = 3600 }) });
        await ExpectAsync(client, worker, "POST", "/v2/queues/q0/messages", Messages(8), ct);
        await ExpectAsync(client, worker, "POST", "/v2/queues/q1/messages", Messages(3), ct);
        await ExpectAsync(client, worker, "POST", "/v2/topics/t0/messages", Messages(3), ct);
        await ExpectAsync(client, worker, "POST", "/v2/queues/q0/claims?limit=2", """{"ttl":600,"grace":60}""", ct);
        var subscription = JsonSerializer.Serialize(new { subscriber = $"http://example.com/{worker.Token}", ttl = 3600 });
        await ExpectAsync(client, worker, "POST", "/v2/queues/q0/subscriptions", subscription, ct);
        await ExpectAsync(client, worker, "POST", "/v2/topics/t0/subscriptions", subscription, ct);
        var share = await ExpectAsync(client, worker, "POST", "/v2/queues/q0/share",
            """{"paths":["messages","subscriptions","claims"],"methods":["GET","POST","PUT","PATCH","DELETE"]}""", ct);
        using (var grant = JsonDocument.Parse(share.Body))
        {
            string List(string name) => string.Join(",", grant.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetString()));
            worker.Grant = new SignedGrant(grant.RootElement.GetProperty("signature").GetString()!, grant.RootElement.GetProperty("expires").GetString()!,
                List("methods"), List("paths"));
        }
        await ExpectAsync(client, worker, "POST", "/hubs/queues/negotiate?negotiateVersion=1", null, ct);
    }

    private async Task<RawResponse> ExpectAsync(RawHttpClient client, FuzzWorker worker, string method, string pathAndQuery, string? body, CancellationToken ct)
    {
        var response = await client.SendAsync(Valid(worker, method, pathAndQuery, client.HostHeader, body), oneShot: false, isHead: false,
            _options.RequestTimeout, ct);
        if (response.Status is < 200 or >= 300)
        {
            throw new InvalidOperationException($"REST fuzz set-up: {method} {pathAndQuery} answered {response.Status}: {response.Body}");
        }
        worker.Harvest(response, CaseGenerator.TargetOf(pathAndQuery.Split('?')[0][1..].Split('/')));
        return response;
    }

    /// <summary>Purges the messages and subscriptions of the worker's queues and topics (valid requests, not counted as cases).</summary>
    private async Task TrimAsync(FuzzWorker worker, CancellationToken ct)
    {
        using var client = new RawHttpClient(_target.BaseUri);
        foreach (var target in worker.Queues.Select(q => "queues/" + q).Concat(worker.Topics.Select(t => "topics/" + t)))
        {
            await client.SendAsync(Valid(worker, "POST", $"/v2/{target}/purge", client.HostHeader), false, false, _options.RequestTimeout, ct);
        }
        worker.LastDigest = null;
    }

    /// <summary>A valid request of the worker (not a case: set-up, probes, clean-up), as bytes.</summary>
    private static byte[] Valid(FuzzWorker worker, string method, string pathAndQuery, string host, string? body = null)
    {
        var parts = pathAndQuery.Split('?', 2);
        var draft = new RequestDraft { Method = method, Segments = [.. parts[0][1..].Split('/')] };
        foreach (var parameter in parts.Length > 1 ? parts[1].Split('&') : [])
        {
            var pair = parameter.Split('=', 2);
            draft.Query.Add(new(pair[0], pair.Length > 1 ? pair[1] : null));
        }
        draft.Headers.AddRange([new("Client-ID", worker.ClientId), new("X-Project-ID", worker.Project), new("X-Roles", "admin")]);
        if (body is not null)
        {
            draft.Headers.Add(new("Content-Type", "application/json"));
            draft.BodyBytes = Encoding.UTF8.GetBytes(body);
        }
        return FuzzCase.Serialize(draft, host);
    }

    /// <summary>The service still serves: ping, then a post and a get of the same message in a fresh project.</summary>
    private async Task<(bool Alive, string Liveness)> CheckAliveAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = _target.BaseUri, Timeout = _options.RequestTimeout };
        http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        http.DefaultRequestHeaders.Add("X-Project-ID", RunToken + "-alive");
        try
        {
            using var ping = await http.GetAsync("/v2/ping", ct);
            var marker = Guid.NewGuid().ToString();
            using var post = await http.PostAsync("/v2/queues/alive/messages",
                new StringContent($$"""{"messages":[{"body":{"alive":"{{marker}}"},"ttl":300}]}""", Encoding.UTF8, "application/json"), ct);
            var id = post.Headers.Location?.OriginalString.Split("ids=").Last();
            using var get = await http.GetAsync($"/v2/queues/alive/messages/{id}", ct);
            var body = await get.Content.ReadAsStringAsync(ct);
            var alive = (int)ping.StatusCode == 204 && (int)post.StatusCode == 201 && (int)get.StatusCode == 200 && body.Contains(marker, StringComparison.Ordinal);
            return (alive, $"ping {(int)ping.StatusCode}, post {(int)post.StatusCode}, get {(int)get.StatusCode}" +
                (body.Contains(marker, StringComparison.Ordinal) ? " (body intact)" : $" (body {FuzzCase.Printable(body, 200)})"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (false, $"down: {ex.Message}");
        }
    }
}
