using System.Globalization;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// Makes a worker's cases: a route at random, a valid request for it (names, ids and documents of the worker's own
/// state, as the contract describes them), some optional valid parameters, then zero to a few mutations.
/// </summary>
public sealed class CaseGenerator(FuzzWorker worker, IReadOnlyList<RouteSpec> routes)
{
    public const string JsonPatchType = "application/openstack-messaging-v2.0-json-patch";

    /// <summary>Methods a catch-all path is tried with.</summary>
    public static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>Paths no route serves, for the catch-all: near misses of real routes and plain junk.</summary>
    private static readonly string[] Unrouted =
    [
        "/v1/queues", "/v1.1/queues", "/v2", "/v2/queues/", "/v2/queues/q0/", "/v2/queues/q0/claims", "/v2/topics/t0/claims",
        "/v2/topics/t0/claims/x", "/v2/topics/t0/share", "/v2/queues/q0/messages/a/b", "/v2/unknown", "/v3/", "/favicon.ico",
        "/v2/queues/q0/subscriptions/x/confirm/y", "/hubs/other", "/hubs/queues/negotiate/x", "/v2/health/x", "/v2/ping/",
        "/v2//queues", "//v2/queues", "/v2/queues/q0/stats/x", "/V2/queues", "/v2/QUEUES", "/console/missing.js",
    ];

    private readonly int[] _cumulativeWeights = routes.Select(r => r.Weight).Aggregate(new List<int>(), (sums, w) =>
    {
        sums.Add((sums.Count == 0 ? 0 : sums[^1]) + w);
        return sums;
    }).ToArray();

    public FuzzCase Next(Random r) => Next(r, route: null, valid: false);

    /// <summary>
    /// A case of <paramref name="route"/> (null: one at random, by weight); with <paramref name="valid"/>, the valid
    /// request only, no mutation and no optional parameter.
    /// </summary>
    public FuzzCase Next(Random r, RouteSpec? route, bool valid)
    {
        if (route is null)
        {
            var draw = r.Next(_cumulativeWeights[^1]);
            route = routes[Array.FindIndex(_cumulativeWeights, sum => draw < sum)];
        }
        var method = route.Method != "*" ? route.Method : route.Serves.Length > 0 ? Pick(r, route.Serves) : Pick(r, Methods);
        // A valid delete of a pool or flavor is refused (403) while it is in use, which the run's are; one that does not
        // exist is deleted (204, as Zaqar answers): the valid-only cases name one now and then, so the route gets served.
        var segments = Segments(route, r, unknownCatalogName: valid && method == "DELETE" && r.Next(2) == 0);
        var target = TargetOf(segments);
        var query = BaseQuery(route, method, target, r);
        var body = ValidBody(route.Body, segments, r);
        var headers = new List<KeyValuePair<string, string>> { new("Client-ID", worker.ClientId), new("X-Project-ID", worker.Project) };
        if (route.Admin && r.Next(10) != 0)
        {
            headers.Add(new("X-Roles", "admin"));
        }
        if (body is not null)
        {
            headers.Add(new("Content-Type", route.Body == BodyKind.JsonPatch ? JsonPatchType : "application/json"));
        }
        RequestDraft Valid()
        {
            var draft = new RequestDraft { Method = method, Segments = [.. segments], Body = body?.Clone() };
            draft.Query.AddRange(query);
            draft.Headers.AddRange(headers);
            return draft;
        }

        var mutations = new List<Mutation>();
        if (valid)
        {
            return new FuzzCase(route, Valid, mutations);
        }
        foreach (var parameter in route.Query.Where(_ => r.Next(4) == 0))
        {
            var value = ValidValue(parameter, target, r);
            mutations.Add(new(FuzzTag.Valid, FuzzStage.Request, $"{parameter.Name}={value}", d => d.Query.Add(new(parameter.Name, value))));
        }
        // A quarter stay valid (they keep the worker's state moving); the rest get one to four mutations.
        var count = r.Next(4) == 0 ? 0 : 1 + (r.Next(3) == 0 ? r.Next(1, 4) : 0);
        var sample = Valid();
        for (var i = 0; i < count; i++)
        {
            mutations.Add(FuzzMutations.Pick(r, route, worker, sample));
        }
        return new FuzzCase(route, Valid, mutations);
    }

    private List<string> Segments(RouteSpec route, Random r, bool unknownCatalogName)
    {
        var pattern = route.Pattern == RestRouteTable.Fallback ? Unrouted[r.Next(Unrouted.Length)] : route.Pattern;
        if (pattern == "/")
        {
            return [];
        }
        var segments = pattern[1..].Split('/').ToList();
        var target = "";
        for (var i = 0; i < segments.Count; i++)
        {
            segments[i] = segments[i] switch
            {
                "{queue}" or "{topic}" => segments[1] == "topics" ? Pick(r, worker.Topics) : Pick(r, worker.Queues),
                "{messageId}" => Id(worker.MessageIds),
                "{claimId}" => Id(worker.ClaimIds),
                "{subscriptionId}" => Id(worker.SubscriptionIds),
                "{pool}" or "{flavor}" when unknownCatalogName => "fzgone" + r.Next(1_000_000).ToString(CultureInfo.InvariantCulture),
                "{pool}" => Pick(r, worker.Pools),
                "{flavor}" => Pick(r, worker.Flavors),
                // The OpenAPI document's one name (issue 15).
                "{documentName}.json" => Hosting.OpenApiHostingExtensions.DocumentName + ".json",
                "{documentName?}" => Hosting.OpenApiHostingExtensions.DocumentName,
                var literal => literal,
            };
            target = TargetOf(segments) ?? "";
        }
        return segments;

        // Mostly an id of the queue in the path; now and then a fresh one (404s, and 204s that do nothing).
        string Id(IdStore ids) => r.Next(5) == 0 ? Guid.NewGuid().ToString() : ids.Pick(r, target) ?? Guid.NewGuid().ToString();
    }

    /// <summary>The parameters a route needs to do anything at all.</summary>
    private List<KeyValuePair<string, string?>> BaseQuery(RouteSpec route, string method, string? target, Random r)
    {
        List<KeyValuePair<string, string?>> query = [];
        if (method == "DELETE" && route.Pattern.EndsWith("/messages", StringComparison.Ordinal))
        {
            query.Add(r.Next(2) == 0 ? new("pop", r.Next(1, 6).ToString(CultureInfo.InvariantCulture)) : new("ids", Ids(target, r)));
        }
        else if (route.Pattern == "/hubs/queues/negotiate")
        {
            query.Add(new("negotiateVersion", "1"));
        }
        else if (route.Pattern == "/hubs/queues" && method != "GET" && worker.ConnectionTokens.Pick(r) is { } token)
        {
            // Never a live token on GET: that is a long poll, which waits by design.
            query.Add(new("id", token));
        }
        return query;
    }

    /// <summary>A valid value of a query parameter (already URL-safe).</summary>
    public string ValidValue(QueryParam parameter, string? target, Random r) => parameter.Kind switch
    {
        ParamKind.Int => parameter.Name == "negotiateVersion" ? r.Next(2).ToString(CultureInfo.InvariantCulture) : r.Next(1, 21).ToString(CultureInfo.InvariantCulture),
        ParamKind.Bool => Pick(r, ["true", "false", "True", "False", "t", "f", "yes", "no", "y", "n", "1", "0", "on", "off"]),
        ParamKind.QueueName => Pick(r, [.. worker.Queues, .. worker.Topics]),
        ParamKind.MessageId => worker.MessageIds.Pick(r, target) ?? Guid.NewGuid().ToString(),
        ParamKind.MessageIds => Ids(target, r),
        ParamKind.ClaimIds or ParamKind.ClaimId => worker.ClaimIds.Pick(r, target) ?? Guid.NewGuid().ToString(),
        ParamKind.SubscriptionId => worker.SubscriptionIds.Pick(r, target) ?? Guid.NewGuid().ToString(),
        ParamKind.PoolName => Pick(r, worker.Pools),
        ParamKind.FlavorName => Pick(r, worker.Flavors),
        ParamKind.ConnectionToken => Guid.NewGuid().ToString("N"),
        _ => parameter.Name switch
        {
            "project_id" => worker.Project,
            "client_id" => worker.ClientId,
            "roles" => "admin",
            _ => FuzzValues.Word(r),
        },
    };

    private string Ids(string? target, Random r) =>
        string.Join(",", Enumerable.Range(0, r.Next(1, 4)).Select(_ => worker.MessageIds.Pick(r, target) ?? Guid.NewGuid().ToString()).Distinct());

    /// <summary>The queue or topic a path names ("queues/q0"), or null.</summary>
    public static string? TargetOf(IReadOnlyList<string> segments) =>
        segments.Count > 2 && segments[0] == "v2" && segments[1] is "queues" or "topics" ? $"{segments[1]}/{segments[2]}" : null;

    /// <summary>A valid document of the kind a route reads (zaqar-v2-api.md), of the worker's own names.</summary>
    private JVal? ValidBody(BodyKind kind, List<string> segments, Random r)
    {
        JVal Int(int min, int max) => JVal.Num(r.Next(min, max + 1));
        JObj Some(params (string Key, Func<JVal> Value)[] members) =>
            new([.. members.Where(_ => r.Next(3) != 0).Select(m => new JMember(JVal.Str(m.Key).Text, m.Value()))]);
        JVal Subscriber() => JVal.Str(r.Next(3) switch
        {
            0 => $"http://example.com/{FuzzValues.Word(r)}",
            1 => $"https://hooks.example.org/{FuzzValues.Word(r)}?x=1",
            _ => $"mailto:{FuzzValues.Word(r)}@example.com",
        });
        var name = segments.Count > 2 ? segments[2] : "";
        return kind switch
        {
            BodyKind.None => null,
            BodyKind.QueueMetadata => Some(
                ("description", () => JVal.Str(FuzzValues.Word(r))), ("_default_message_ttl", () => Int(60, 1209600)),
                ("_max_messages_post_size", () => Int(1024, 262144)), ("_default_message_delay", () => r.Next(4) == 0 ? Int(1, 900) : JVal.Num(0)),
                ("_dead_letter_queue", () => JVal.Str("dlq")), ("_max_claim_count", () => Int(1, 10)),
                ("_dead_letter_queue_messages_ttl", () => Int(60, 3600)), ("_enable_encrypt_messages", () => new JLit(r.Next(2) == 0 ? "true" : "false")),
                ("_retry_policy", () => JVal.Obj(("retries_with_no_delay", Int(0, 5)), ("minimum_delay", Int(1, 5)), ("maximum_delay", Int(20, 30)))),
                ("k" + r.Next(5), () => FuzzValues.Random(r))),
            BodyKind.JsonPatch => new JArr([.. Enumerable.Range(0, r.Next(1, 4)).Select(_ => (JVal)JVal.Obj(
                ("op", JVal.Str(Pick(r, ["add", "replace", "remove"]))), ("path", JVal.Str("/metadata/" + Pick(r, ["k0", "k1", "description", "_default_message_ttl"]))),
                ("value", r.Next(3) == 0 ? Int(60, 3600) : FuzzValues.Random(r))))]),
            BodyKind.Messages => JVal.Obj(("messages", new JArr([.. Enumerable.Range(0, r.Next(1, 6)).Select(_ => (JVal)Some(
                ("ttl", () => Int(60, 3600)), ("delay", () => Int(0, 5))).With("body", FuzzValues.Random(r)))]))),
            BodyKind.Claim or BodyKind.ClaimUpdate => Some(("ttl", () => Int(60, 600)), ("grace", () => Int(60, 600))),
            BodyKind.Subscription => Some(("ttl", () => Int(60, 100000)), ("options", () => FuzzValues.Random(r, 2) is JObj o ? o : JVal.Obj()))
                .With("subscriber", Subscriber()),
            BodyKind.SubscriptionPatch => Some(("subscriber", Subscriber), ("ttl", () => Int(60, 100000)), ("options", () => JVal.Obj(("k", FuzzValues.Random(r))))),
            BodyKind.Confirm => JVal.Obj(("confirmed", new JLit(r.Next(2) == 0 ? "true" : "false"))),
            BodyKind.Purge => JVal.Obj(("resource_types", JVal.Arr([.. Subset(r, ["messages", "subscriptions"]).Select(JVal.Str)]))),
            BodyKind.Share => Some(
                ("paths", () => JVal.Arr([.. Subset(r, ["messages", "subscriptions", "claims"]).Select(JVal.Str)])),
                ("methods", () => JVal.Arr([.. Subset(r, ["GET", "POST", "PUT", "PATCH", "DELETE"]).Select(JVal.Str)])),
                ("expires", () => JVal.Str(DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)))),
            BodyKind.Pool => Some(("flavor", () => JVal.Str(Pick(r, worker.Flavors))), ("options", () => JVal.Obj(("k", FuzzValues.Random(r)))))
                .With("uri", JVal.Str(worker.PoolUri(name))).With("weight", r.Next(4) == 0 ? Int(1, 100) : JVal.Num(0)),
            BodyKind.PoolPatch => Some(("weight", () => Int(0, 100)), ("options", () => JVal.Obj(("k", FuzzValues.Random(r)))),
                ("flavor", () => r.Next(3) == 0 ? JVal.Null : JVal.Str(Pick(r, worker.Flavors)))),
            BodyKind.Flavor => JVal.Obj(("pool_list", JVal.Arr([.. Subset(r, worker.Pools).Select(JVal.Str)])), ("capabilities", JVal.Obj())),
            BodyKind.FlavorPatch => Some(("pool_list", () => JVal.Arr([.. Subset(r, worker.Pools).Select(JVal.Str)])), ("capabilities", () => JVal.Obj())),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static string[] Subset(Random r, string[] items)
    {
        var subset = items.Where(_ => r.Next(2) == 0).ToArray();
        return subset.Length == 0 ? [items[r.Next(items.Length)]] : subset;
    }

    public static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];
}

internal static class JObjExtensions
{
    /// <summary>The object with a required member added.</summary>
    public static JObj With(this JObj o, string key, JVal value)
    {
        o.Members.Add(new JMember(JVal.Str(key).Text, value));
        return o;
    }
}
