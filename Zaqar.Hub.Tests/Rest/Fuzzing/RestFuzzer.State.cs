using System.Text;
using System.Text.Json;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The fuzzer's set-up of each worker's state, its bookkeeping of stored mutated values, and the final liveness check.</summary>
public sealed partial class RestFuzzer
{
    private static readonly HashSet<FuzzTag> StoredValueTags = [FuzzTag.JsonDepth, FuzzTag.JsonString, FuzzTag.JsonNumber, FuzzTag.JsonKey];

    private static readonly HashSet<BodyKind> StoringBodies =
    [
        BodyKind.QueueMetadata, BodyKind.JsonPatch, BodyKind.Messages, BodyKind.Subscription, BodyKind.SubscriptionPatch,
        BodyKind.Pool, BodyKind.PoolPatch, BodyKind.Flavor, BodyKind.FlavorPatch,
    ];

    private string? _catalogTaint;

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
        var response = await client.SendAsync(FuzzCase.Serialize(draft, client.HostHeader), oneShot: false, isHead: false, _options.RequestTimeout, ct);
        if (response.Status is < 200 or >= 300)
        {
            throw new InvalidOperationException($"REST fuzz set-up: {method} {pathAndQuery} answered {response.Status}: {response.Body}");
        }
        worker.Harvest(response, CaseGenerator.TargetOf(draft.Segments));
        return response;
    }

    /// <summary>What a request's path names: "queues/q0", "topics/t0", "catalog", or null.</summary>
    private static string? TargetOf(RequestDraft draft) => draft.Segments switch
    {
        ["v2", "pools" or "flavors", ..] => "catalog",
        ["v2", "queues" or "topics", var name, ..] => $"{draft.Segments[1]}/{name}",
        _ => null,
    };

    /// <summary>Notes that an accepted request stored a mutated JSON value where it names (issue 10 items 3 and 4).</summary>
    private void Taint(FuzzWorker worker, long index, FuzzCase fuzzCase, RequestDraft draft)
    {
        // Only a request that reached the storing endpoint as meant (its method unchanged) stored its document.
        if (!StoringBodies.Contains(fuzzCase.Route.Body) || draft.Method != fuzzCase.Route.Method || !fuzzCase.Tags.Any(StoredValueTags.Contains) ||
            TargetOf(draft) is not { } target)
        {
            return;
        }
        var how = $"case #{index} stored a mutated value ({Labels(fuzzCase)}):\n{FuzzCase.Describe(draft)}";
        if (target == "catalog")
        {
            Interlocked.CompareExchange(ref _catalogTaint, how, null);
            return;
        }
        worker.Taints.TryAdd(target, how);
        if (target.StartsWith("queues/", StringComparison.Ordinal))
        {
            // Dead-lettering moves the stored message on.
            worker.Taints.TryAdd("queues/dlq", how);
        }
    }

    /// <summary>How the state a request reads was poisoned, or null when it reads nothing a mutated value was stored in.</summary>
    private string? TaintOf(FuzzWorker worker, RequestDraft draft) => TargetOf(draft) switch
    {
        "catalog" => _catalogTaint,
        { } target => worker.Taints.GetValueOrDefault(target),
        null when draft.Segments is ["v2", "queues" or "topics"] =>
            worker.Taints.FirstOrDefault(t => t.Key.StartsWith(draft.Segments[1] + "/", StringComparison.Ordinal)).Value,
        _ => null,
    };

    /// <summary>Deletes the poisoned queues a failing request read, so the worker goes on fuzzing healthy state.</summary>
    private async Task CleanUpAsync(FuzzWorker worker, RequestDraft draft, CancellationToken ct)
    {
        var target = TargetOf(draft);
        var poisoned = worker.Taints.Keys.Where(k => k == target || (target is null && draft.Segments.Count > 1 && k.StartsWith(draft.Segments[1] + "/", StringComparison.Ordinal))).ToList();
        using var client = new RawHttpClient(_target.BaseUri);
        foreach (var key in poisoned)
        {
            try
            {
                await client.SendAsync(Valid(worker, "POST", $"/v2/{key}/purge", client.HostHeader), false, false, _options.RequestTimeout, ct);
                await client.SendAsync(Valid(worker, "DELETE", $"/v2/{key}", client.HostHeader), false, false, _options.RequestTimeout, ct);
            }
            catch (Exception ex) when (ex is TimeoutException or IOException)
            {
                // Best effort: the failure is already recorded.
            }
            worker.Taints.Remove(key);
        }
        worker.LastDigest = null;
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

    private static byte[] Valid(FuzzWorker worker, string method, string path, string host)
    {
        var draft = new RequestDraft { Method = method, Segments = [.. path[1..].Split('/')] };
        draft.Headers.AddRange([new("Client-ID", worker.ClientId), new("X-Project-ID", worker.Project)]);
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
