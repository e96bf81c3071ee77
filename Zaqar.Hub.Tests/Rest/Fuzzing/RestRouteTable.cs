using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The document a route reads (zaqar-v2-api.md), which the fuzzer sends valid and then mutates.</summary>
public enum BodyKind
{
    None,
    QueueMetadata,
    JsonPatch,
    Messages,
    Claim,
    ClaimUpdate,
    Subscription,
    SubscriptionPatch,
    Confirm,
    Purge,
    Share,
    Pool,
    PoolPatch,
    Flavor,
    FlavorPatch,
}

/// <summary>What a query parameter holds, so it gets valid values and the edge values of its type.</summary>
public enum ParamKind
{
    Int,
    Bool,
    QueueName,
    MessageId,
    MessageIds,
    ClaimIds,
    ClaimId,
    SubscriptionId,
    PoolName,
    FlavorName,
    ConnectionToken,
    /// <summary>A hub credential in the query string (project_id, client_id, roles, ...).</summary>
    HubCredential,
}

public sealed record QueryParam(string Name, ParamKind Kind);

/// <summary>
/// One route of the service: its method and pattern as the endpoint data source names them, what it reads, and
/// whether it is an operator route (admin role) or a catalog route (pools and flavors, shared by every project).
/// </summary>
public sealed record RouteSpec(string Method, string Pattern, BodyKind Body, params QueryParam[] Query)
{
    /// <summary>For a route of any method ("*"), the methods it means to serve; empty for the catch-all.</summary>
    public string[] Serves { get; init; } = [];

    /// <summary>
    /// How often the route is drawn, relative to others: operator routes less (a health check runs every queue operation;
    /// catalog cases run one at a time), so the run spends its time on what tenants reach.
    /// </summary>
    public int Weight => Admin || Operations || Documentation ? 1 : 4;

    /// <summary>The probes and the scrape (issue 15): for operators, and no tenant's.</summary>
    public bool Operations => Pattern is "/health/live" or "/health/ready" or "/metrics";

    /// <summary>The OpenAPI document and its reference page (issue 15): public, and no tenant's.</summary>
    public bool Documentation => Pattern.StartsWith("/openapi/", StringComparison.Ordinal) || Pattern.StartsWith("/docs/", StringComparison.Ordinal);

    public bool Admin => Pattern is "/v2/health" || Catalog;

    public bool Catalog => Pattern.StartsWith("/v2/pools", StringComparison.Ordinal) || Pattern.StartsWith("/v2/flavors", StringComparison.Ordinal);

    public bool Hub => Pattern.StartsWith("/hubs/", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Pattern}";
}

/// <summary>
/// The fuzzer's knowledge of the route table (issue 10). The routes themselves come from the running service's
/// endpoints (<see cref="Routed"/>); this table only says what each reads, and <see cref="Check"/> fails the run when
/// the two differ, so a route added or removed without telling the fuzzer stops it rather than going unfuzzed.
/// </summary>
public static class RestRouteTable
{
    /// <summary>The pattern of the catch-all endpoint that answers Zaqar's 404 for every path no route serves.</summary>
    public const string Fallback = "{*path:nonfile}";

    private static readonly QueryParam Limit = new("limit", ParamKind.Int);
    private static readonly QueryParam Detailed = new("detailed", ParamKind.Bool);
    private static readonly QueryParam[] QueueListing =
        [new("marker", ParamKind.QueueName), Limit, Detailed, new("name", ParamKind.QueueName), new("with_count", ParamKind.Bool)];
    private static readonly QueryParam[] MessageListing =
    [
        new("marker", ParamKind.MessageId), Limit, new("echo", ParamKind.Bool), new("include_claimed", ParamKind.Bool),
        new("include_delayed", ParamKind.Bool), new("ids", ParamKind.MessageIds),
    ];
    private static readonly QueryParam[] MessageDeletion = [new("ids", ParamKind.MessageIds), new("claim_ids", ParamKind.ClaimIds), new("pop", ParamKind.Int)];
    private static readonly QueryParam[] HubIdentity =
    [
        new("project_id", ParamKind.HubCredential), new("client_id", ParamKind.HubCredential), new("roles", ParamKind.HubCredential),
        new("access_token", ParamKind.HubCredential), new("url_signature", ParamKind.HubCredential),
    ];

    /// <summary>Every route the service maps, with what it reads.</summary>
    public static readonly IReadOnlyList<RouteSpec> Routes =
    [
        new("GET", "/", BodyKind.None),
        new("GET", "/v2/", BodyKind.None),
        new("GET", "/v2/ping", BodyKind.None),
        new("HEAD", "/v2/ping", BodyKind.None),
        new("GET", "/v2/health", BodyKind.None),
        // Issue 15: the orchestrators' probes and the Prometheus scrape.
        new("GET", "/health/live", BodyKind.None),
        new("GET", "/health/ready", BodyKind.None),
        new("GET", "/metrics", BodyKind.None),
        // Issue 15: the OpenAPI document and Scalar's reference page with the assets it serves.
        new("GET", "/openapi/{documentName}.json", BodyKind.None),
        new("GET", "/docs/{documentName?}", BodyKind.None),
        new("GET", "/docs/scalar.js", BodyKind.None),
        new("GET", "/docs/scalar.aspnetcore.js", BodyKind.None),
        new("GET", "/docs/favicon.svg", BodyKind.None),
        .. Queues("/v2/queues", "{queue}"),
        new("POST", "/v2/queues/{queue}/share", BodyKind.Share),
        .. Messages("/v2/queues/{queue}"),
        new("POST", "/v2/queues/{queue}/claims", BodyKind.Claim, Limit),
        new("GET", "/v2/queues/{queue}/claims/{claimId}", BodyKind.None),
        new("PATCH", "/v2/queues/{queue}/claims/{claimId}", BodyKind.ClaimUpdate),
        new("DELETE", "/v2/queues/{queue}/claims/{claimId}", BodyKind.None),
        .. Subscriptions("/v2/queues/{queue}"),
        .. Queues("/v2/topics", "{topic}"),
        .. Messages("/v2/topics/{topic}"),
        .. Subscriptions("/v2/topics/{queue}"),
        .. Catalog("/v2/pools", "{pool}", ParamKind.PoolName, BodyKind.Pool, BodyKind.PoolPatch, withDetailedItem: true),
        .. Catalog("/v2/flavors", "{flavor}", ParamKind.FlavorName, BodyKind.Flavor, BodyKind.FlavorPatch, withDetailedItem: false),
        // SignalR maps the hub's endpoints for any method; these are the ones it serves.
        new("*", "/hubs/queues/negotiate", BodyKind.None, [new("negotiateVersion", ParamKind.Int), .. HubIdentity]) { Serves = ["POST"] },
        new("*", "/hubs/queues", BodyKind.None, [new("id", ParamKind.ConnectionToken), .. HubIdentity]) { Serves = ["GET", "POST", "DELETE"] },
        // Zaqar's websocket transport (issue 13): over plain HTTP every method gets its 400 with Zaqar's error body. Its frames
        // are fuzzed over WebSocket by Sockets/SocketHostileFrameTests and its values checked by JsonValues/Issue10SocketEntryTests.
        new("*", "/v2/ws", BodyKind.None),
        new("*", Fallback, BodyKind.None),
    ];

    /// <summary>Paths served by middleware before routing (the web console), fuzzed too but not endpoints.</summary>
    public static readonly IReadOnlyList<RouteSpec> Middleware =
    [
        new("GET", "/console", BodyKind.None),
        new("GET", "/console/", BodyKind.None),
        new("GET", "/console/index.html", BodyKind.None),
    ];

    /// <summary>The (method, pattern) pairs the service's endpoints serve; "*" for an endpoint of any method.</summary>
    public static IReadOnlySet<string> Routed(EndpointDataSource endpoints)
    {
        var routed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            pattern = pattern.Length == 0 || pattern[0] == '/' || pattern == Fallback ? pattern : "/" + pattern;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                routed.Add($"{method} {pattern}");
            }
        }
        return routed;
    }

    /// <summary>The differences between the service's endpoints and this table: empty when they agree.</summary>
    public static IReadOnlyList<string> Check(IReadOnlySet<string> routed)
    {
        var known = Routes.Select(r => r.ToString()).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. routed.Where(r => !known.Contains(r)).Order().Select(r => $"routed but not in the fuzzer's table: {r}"),
            .. known.Where(r => !routed.Contains(r)).Order().Select(r => $"in the fuzzer's table but not routed: {r}"),
        ];
    }

    private static IEnumerable<RouteSpec> Queues(string collection, string item) =>
    [
        new("GET", collection, BodyKind.None, QueueListing),
        new("PUT", $"{collection}/{item}", BodyKind.QueueMetadata),
        new("GET", $"{collection}/{item}", BodyKind.None),
        new("PATCH", $"{collection}/{item}", BodyKind.JsonPatch),
        new("DELETE", $"{collection}/{item}", BodyKind.None),
        new("GET", $"{collection}/{item}/stats", BodyKind.None),
        new("GET", $"{collection}/{item}/presence", BodyKind.None),
        new("POST", $"{collection}/{item}/purge", BodyKind.Purge),
    ];

    private static IEnumerable<RouteSpec> Messages(string queue) =>
    [
        new("POST", $"{queue}/messages", BodyKind.Messages),
        new("GET", $"{queue}/messages", BodyKind.None, MessageListing),
        new("DELETE", $"{queue}/messages", BodyKind.None, MessageDeletion),
        new("GET", $"{queue}/messages/{{messageId}}", BodyKind.None),
        new("DELETE", $"{queue}/messages/{{messageId}}", BodyKind.None, new QueryParam("claim_id", ParamKind.ClaimId)),
    ];

    private static IEnumerable<RouteSpec> Subscriptions(string queue) =>
    [
        new("POST", $"{queue}/subscriptions", BodyKind.Subscription),
        new("GET", $"{queue}/subscriptions", BodyKind.None, new QueryParam("marker", ParamKind.SubscriptionId), Limit),
        new("GET", $"{queue}/subscriptions/{{subscriptionId}}", BodyKind.None),
        new("PATCH", $"{queue}/subscriptions/{{subscriptionId}}", BodyKind.SubscriptionPatch),
        new("DELETE", $"{queue}/subscriptions/{{subscriptionId}}", BodyKind.None),
        new("PUT", $"{queue}/subscriptions/{{subscriptionId}}/confirm", BodyKind.Confirm),
    ];

    private static IEnumerable<RouteSpec> Catalog(string collection, string item, ParamKind name, BodyKind put, BodyKind patch, bool withDetailedItem) =>
    [
        new("GET", collection, BodyKind.None, new QueryParam("marker", name), Limit, Detailed),
        new("PUT", $"{collection}/{item}", put),
        new("GET", $"{collection}/{item}", BodyKind.None, withDetailedItem ? [Detailed] : []),
        new("PATCH", $"{collection}/{item}", patch),
        new("DELETE", $"{collection}/{item}", BodyKind.None),
    ];
}
