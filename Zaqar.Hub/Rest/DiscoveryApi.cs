using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>Versions (GET /), the JSON-home document (GET /v2/), ping and health (sections 1.1 and 7).</summary>
internal static class DiscoveryApi
{
    public static IEndpointRouteBuilder MapVersions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Json(Versions(), statusCode: StatusCodes.Status300MultipleChoices))
            .Doc(Tag, "listVersions", "The API versions (no headers needed)").Produces<JsonObject>(StatusCodes.Status300MultipleChoices, RestDocs.JsonType);
        return app;
    }

    private const string Tag = "Discovery";

    /// <summary>The body of a 404 for a path no route serves (Falcon's default).</summary>
    public static IResult NotFound() => Results.Json(new { title = ApiErrors.NoSuchRoute.Title }, statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// Zaqar (Falcon) routes slash-exactly: "/v2" is not the home document "/v2/", and "/v2/queues/" is not
    /// "/v2/queues". ASP.NET routing ignores a trailing slash, so such paths are answered 404 here, before any
    /// endpoint (or header check) runs, as Zaqar answers a path no route matches. Paths under <paramref name="ownSlash"/>
    /// are not Zaqar's: there the trailing slash is the page's own address (the API reference, issue 15).
    /// </summary>
    // Not async: a request passing through keeps no frame of this middleware (a hub's WebSocket request lasts for its connection: issue 14).
    public static IApplicationBuilder UseSlashExactRouting(this IApplicationBuilder app, string ownSlash) => app.Use((http, next) =>
    {
        var path = http.Request.Path.Value ?? "/";
        return path == "/v2" || (path.Length > 1 && path.EndsWith('/') && path != "/v2/" && !path.StartsWith(ownSlash, StringComparison.Ordinal))
            ? NotFound().ExecuteAsync(http)
            : next(http);
    });

    public static RouteGroupBuilder MapDiscoveryApi(this RouteGroupBuilder v2)
    {
        // "/v2" (no slash) never gets here: see UseSlashExactRouting.
        v2.MapGet("/", (HttpContext http, IOptions<ZaqarOptions> options, PoolService pools) =>
        {
            http.Response.Headers.CacheControl = "max-age=86400";
            return Results.Text(Home(options.Value.AdminMode, pools.Routed).ToJsonString(), "application/json-home");
        }).Doc(Tag, "getHomeDocument", "The JSON-home document of v2's resources").Produces<JsonObject>(StatusCodes.Status200OK, "application/json-home");
        v2.MapMethods("/ping", ["GET"], async (HealthService health, CancellationToken ct) =>
            await health.PingAsync(ct) ? Results.NoContent() : throw health.PingFailure())
            .Doc(Tag, "ping", "Whether the message store answers (503 when not)").Returns(StatusCodes.Status204NoContent);
        v2.MapMethods("/ping", ["HEAD"], () => Results.NoContent())
            .Doc(Tag, "pingHead", "Whether the node answers (without asking the store)").Returns(StatusCodes.Status204NoContent);
        // Operator routes exist only in admin mode (elsewhere a path no route matches: 404 before any header check).
        if (((IEndpointRouteBuilder)v2).ServiceProvider.GetRequiredService<IOptions<ZaqarOptions>>().Value.AdminMode)
        {
            v2.MapGet("/health", async (HttpContext http, HealthService health) =>
                Results.Json(await health.HealthAsync(http.Caller(), http.RequestAborted)))
                .Doc("Health", "getHealth", "Run every storage operation once and report (admin)").Returns<JsonObject>();
        }
        return v2;
    }

    private static JsonObject Versions()
    {
        static JsonObject Version(string id, string status, string updated, string media) => new()
        {
            ["id"] = id,
            ["status"] = status,
            ["updated"] = updated,
            ["media-types"] = new JsonArray(new JsonObject
            {
                ["base"] = "application/json",
                ["type"] = $"application/vnd.openstack.messaging-{media}+json",
            }),
            ["links"] = new JsonArray(new JsonObject { ["href"] = $"/{media}/", ["rel"] = "self" }),
        };
        return new JsonObject
        {
            ["versions"] = new JsonArray(
                Version("1", "DEPRECATED", "2014-9-11T17:47:05Z", "v1"),
                Version("1.1", "DEPRECATED", "2016-7-29T19:22:01Z", "v1.1"),
                Version("2", "CURRENT", "2014-9-24T04:06:47Z", "v2")),
        };
    }

    internal static JsonObject Home(bool adminMode, bool pooling)
    {
        var resources = new JsonObject
        {
            ["rel/queues"] = Resource("/v2/queues{?marker,limit,detailed}", ["GET"], "marker", "limit", "detailed"),
            ["rel/queue"] = Resource("/v2/queues/{queue_name}", ["GET", "PUT", "PATCH", "DELETE"], "queue_name"),
            ["rel/queue_stats"] = Resource("/v2/queues/{queue_name}/stats", ["GET"], "queue_name"),
            ["rel/queue_share"] = Resource("/v2/queues/{queue_name}/share", ["POST"], "queue_name"),
            ["rel/queue_purge"] = Resource("/v2/queues/{queue_name}/purge", ["POST"], "queue_name"),
            ["rel/messages"] = Resource("/v2/queues/{queue_name}/messages{?marker,limit,echo,include_claimed,include_delayed}", ["GET"],
                "queue_name", "marker", "limit", "echo", "include_claimed", "include_delayed"),
            ["rel/post_messages"] = Resource("/v2/queues/{queue_name}/messages", ["POST"], "queue_name"),
            ["rel/messages_delete"] = Resource("/v2/queues/{queue_name}/messages{?ids,pop,claim_ids}", ["DELETE"], "queue_name", "ids", "pop", "claim_ids"),
            ["rel/message_delete"] = Resource("/v2/queues/{queue_name}/messages/{message_id}{?claim}", ["DELETE"], "queue_name", "message_id", "claim"),
            ["rel/message_get"] = Resource("/v2/queues/{queue_name}/messages/{message_id}", ["GET"], "queue_name", "message_id"),
            ["rel/claim"] = Resource("/v2/queues/{queue_name}/claims/{claim_id}", ["GET"], "queue_name", "claim_id"),
            ["rel/post_claim"] = Resource("/v2/queues/{queue_name}/claims{?limit}", ["POST"], "queue_name", "limit"),
            ["rel/patch_claim"] = Resource("/v2/queues/{queue_name}/claims/{claim_id}", ["PATCH"], "queue_name", "claim_id"),
            ["rel/delete_claim"] = Resource("/v2/queues/{queue_name}/claims/{claim_id}", ["DELETE"], "queue_name", "claim_id"),
            ["rel/subscriptions_get"] = Resource("/v2/queues/{queue_name}/subscriptions{?marker,limit}", ["GET"], "queue_name", "marker", "limit"),
            ["rel/subscriptions_post"] = Resource("/v2/queues/{queue_name}/subscriptions", ["POST"], "queue_name"),
            ["rel/subscription"] = Resource("/v2/queues/{queue_name}/subscriptions/{subscription_id}", ["GET", "DELETE"], "queue_name", "subscription_id"),
            ["rel/subscription_patch"] = Resource("/v2/queues/{queue_name}/subscriptions/{subscription_id}", ["PATCH"], "queue_name", "subscription_id"),
            ["rel/ping"] = new JsonObject
            {
                ["href"] = "/v2/ping",
                ["hints"] = Hints(["GET", "HEAD"]),
            },
        };
        if (adminMode)
        {
            resources["rel/health"] = new JsonObject { ["href"] = "/v2/health", ["hints"] = Hints(["GET"]) };
        }
        if (pooling)
        {
            // Routed only with admin mode and pooling on (issue #6).
            resources["rel/pools"] = Resource("/v2/pools{?detailed,limit,marker}", ["GET"], "detailed", "limit", "marker");
            resources["rel/pool"] = Resource("/v2/pools/{pool_name}", ["GET", "PUT", "PATCH", "DELETE"], "pool_name");
            resources["rel/flavors"] = Resource("/v2/flavors{?detailed,limit,marker}", ["GET"], "detailed", "limit", "marker");
            resources["rel/flavor"] = Resource("/v2/flavors/{flavor_name}", ["GET", "PUT", "PATCH", "DELETE"], "flavor_name");
        }
        return new JsonObject
        {
            ["api"] = new JsonObject
            {
                ["name"] = "OpenStack Zaqar API",
                ["links"] = new JsonObject { ["describedby"] = "https://docs.openstack.org/zaqar/latest/" },
            },
            ["resources"] = resources,
        };
    }

    private static JsonObject Resource(string template, string[] allow, params string[] vars)
    {
        var hrefVars = new JsonObject();
        foreach (var v in vars)
        {
            hrefVars[v] = "param/" + v;
        }
        var resource = new JsonObject
        {
            ["href-template"] = template,
            ["href-vars"] = hrefVars,
            ["hints"] = Hints(allow),
        };
        if (allow.Contains("POST") || allow.Contains("PATCH"))
        {
            resource["hints"]!["accept-post"] = new JsonArray("application/json");
        }
        return resource;
    }

    private static JsonObject Hints(string[] allow) => new()
    {
        ["allow"] = new JsonArray(allow.Select(a => (JsonNode)a).ToArray()),
        ["formats"] = new JsonObject { ["application/json"] = new JsonObject() },
    };
}
