using System.Text.RegularExpressions;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// Issue 10 items 3 and 4: what the service accepts it must be able to serve back. After an accepted request stored a
/// document with mutated JSON content, the fuzzer reads it back at once through the routes that serve it (outside the
/// case count); a 5xx there is the stored value's failure, reported with the request that stored it, and the value is
/// removed so later cases meet healthy state.
/// </summary>
public sealed partial class RestFuzzer
{
    private static readonly HashSet<FuzzTag> StoredValueTags = [FuzzTag.JsonDepth, FuzzTag.JsonString, FuzzTag.JsonNumber, FuzzTag.JsonKey];

    private static readonly HashSet<BodyKind> StoringBodies =
    [
        BodyKind.QueueMetadata, BodyKind.JsonPatch, BodyKind.Messages, BodyKind.Subscription, BodyKind.SubscriptionPatch,
        BodyKind.Pool, BodyKind.PoolPatch, BodyKind.Flavor, BodyKind.FlavorPatch,
    ];

    /// <summary>Reads back what an accepted case stored, when it stored mutated JSON content.</summary>
    private async Task ProbeStoredAsync(FuzzWorker worker, long index, FuzzCase fuzzCase, RequestDraft draft, RawResponse response, CancellationToken ct)
    {
        // Only a request that reached the storing endpoint as meant (its method unchanged) stored its document.
        if (!StoringBodies.Contains(fuzzCase.Route.Body) || draft.Method != fuzzCase.Route.Method || !fuzzCase.Tags.Any(StoredValueTags.Contains) ||
            draft.Segments.Count < 3)
        {
            return;
        }
        var catalog = fuzzCase.Route.Catalog;
        if (catalog)
        {
            // The catalog is shared: no other worker's case may run (and fingerprint it) while it is read and repaired.
            await _catalogGate.WaitAsync(ct);
        }
        try
        {
            using var client = new RawHttpClient(_target.BaseUri);
            foreach (var read in Reads(draft, response))
            {
                var served = await client.SendAsync(Valid(worker, "GET", read, client.HostHeader), false, false, _options.RequestTimeout, ct);
                if (served.Status < 500)
                {
                    continue;
                }
                var readRoute = Regex.Replace(Regex.Replace(read.Split('?')[0], "^/v2/(queues|topics|pools|flavors)/[^/]+", "/v2/$1/{name}"),
                    "/[0-9a-f-]{36}", "/{id}");
                var group = _failures.GetOrAdd($"stored|{fuzzCase.Route}|{readRoute}|{served.Status}", _ => new Group(
                    FuzzArea.Json, FailureKind.StoredValue, index, Labels(fuzzCase),
                    $"(seed {_options.Seed}, worker {worker.Index}) stored with {draft.Method} answered {response.Status}:\n{FuzzCase.Describe(draft)}\n" +
                    $"then GET {read} answered {served.Status}: {FuzzCase.Printable(served.Body, 300)}")
                {
                    Route = $"{fuzzCase.Route}, then GET {readRoute}",
                    Status = served.Status,
                });
                Interlocked.Increment(ref group.Count);
                await RemoveStoredAsync(worker, draft, client, ct);
                return;
            }
        }
        finally
        {
            worker.LastDigest = null;
            if (catalog)
            {
                _catalogGate.Release();
            }
        }
    }

    /// <summary>The reads that serve what <paramref name="draft"/> stored (its queue or topic, or its pool or flavor).</summary>
    private static IEnumerable<string> Reads(RequestDraft draft, RawResponse response)
    {
        var (collection, name) = (draft.Segments[1], draft.Segments[2]);
        if (collection is "pools" or "flavors")
        {
            return [$"/v2/{collection}/{name}?detailed=true", $"/v2/{collection}?detailed=true&limit=20"];
        }
        var queue = $"/v2/{collection}/{name}";
        List<string> reads = [queue, $"{queue}/stats", $"{queue}/messages?include_claimed=true&include_delayed=true&echo=true&limit=20",
            $"{queue}/subscriptions?limit=20", $"/v2/{collection}?detailed=true&name={name}"];
        if (response.Header("Location") is { } location && location.Contains("ids=", StringComparison.Ordinal))
        {
            reads.Add($"{queue}/messages?ids={location.Split("ids=")[1]}");
        }
        if (Regex.Match(response.Body, "\"subscription_id\":\"([0-9a-f-]{36})\"") is { Success: true } created)
        {
            reads.Add($"{queue}/subscriptions/{created.Groups[1].Value}");
        }
        if (draft.Segments is [_, _, _, "subscriptions", var id])
        {
            reads.Add($"{queue}/subscriptions/{id}");
        }
        return reads;
    }

    /// <summary>Removes a stored value that can't be served: the queue or topic goes (with its messages and subscriptions); a pool's or flavor's document is reset.</summary>
    private async Task RemoveStoredAsync(FuzzWorker worker, RequestDraft draft, RawHttpClient client, CancellationToken ct)
    {
        var (collection, name) = (draft.Segments[1], draft.Segments[2]);
        (string Method, string Path, string? Body)[] repairs = collection switch
        {
            "pools" => [("PATCH", $"/v2/pools/{name}", """{"options":{}}""")],
            "flavors" => [("PATCH", $"/v2/flavors/{name}", """{"capabilities":{}}""")],
            // The dead-letter queue may have taken stored messages on.
            _ => [("POST", $"/v2/{collection}/{name}/purge", null), ("DELETE", $"/v2/{collection}/{name}", null),
                  ("POST", "/v2/queues/dlq/purge", null), ("DELETE", "/v2/queues/dlq", null)],
        };
        foreach (var (method, path, body) in repairs)
        {
            await client.SendAsync(Valid(worker, method, path, client.HostHeader, body), false, false, _options.RequestTimeout, ct);
        }
    }
}
