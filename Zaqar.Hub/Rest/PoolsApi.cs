using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>
/// /v2/pools and /v2/flavors (zaqar-v2-api.md section 9, issue #6). Mapped only with admin mode and pooling on, as Zaqar
/// routes them (otherwise a path no route matches: 404). Thin: parse, call <see cref="PoolService"/> or
/// <see cref="FlavorService"/>, render.
/// </summary>
internal static class PoolsApi
{
    // Pool and flavor documents are a few hundred bytes; this only bounds what is read.
    private const int MaxDocumentBytes = 64 * 1024;

    public static RouteGroupBuilder MapPoolsApi(this RouteGroupBuilder v2)
    {
        if (!((IEndpointRouteBuilder)v2).ServiceProvider.GetRequiredService<PoolService>().Routed)
        {
            return v2;
        }
        v2.MapGet("/pools", async (HttpContext http, PoolService pools) =>
            Results.Json(await pools.ListAsync(http.Caller(), ListRequest(http.Request), http.RequestAborted)))
            .Doc(Pools, "listPools", "List pools (admin)").Query(Listing(o => o.MaxPoolsPerPage)).Returns<PoolPageView>();
        v2.MapPut("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
        {
            await pools.CreateAsync(http.Caller(), pool, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted);
            http.Response.Headers.Location = $"{PoolService.Collection}/{pool}";
            return Results.StatusCode(StatusCodes.Status201Created);
        }).Doc(Pools, "createPool", "Register a pool database (admin)").Body<PoolDocument>().Returns(StatusCodes.Status201Created).Fails(409);
        v2.MapGet("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
            Results.Json(await pools.GetAsync(http.Caller(), pool, http.Request.Bool("detailed") ?? false, http.RequestAborted)))
            .Doc(Pools, "getPool", "Get a pool (admin)").Query(Query.Detailed).Returns<PoolView>();
        v2.MapPatch("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
            Results.Json(await pools.UpdateAsync(http.Caller(), pool, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted)))
            .Doc(Pools, "updatePool", "Change a pool (admin)").Body<PoolDocument>().Returns<PoolView>().Fails(409);
        v2.MapDelete("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
        {
            await pools.DeleteAsync(http.Caller(), pool, http.RequestAborted);
            return Results.NoContent();
        }).Doc(Pools, "deletePool", "Remove a pool (admin; 403 while a flavor uses it)").Returns(StatusCodes.Status204NoContent);

        v2.MapGet("/flavors", async (HttpContext http, FlavorService flavors) =>
            Results.Json(await flavors.ListAsync(http.Caller(), ListRequest(http.Request), http.RequestAborted)))
            .Doc(Flavors, "listFlavors", "List flavors (admin)").Query(Listing(o => o.MaxFlavorsPerPage)).Returns<FlavorPageView>();
        v2.MapPut("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
        {
            await flavors.CreateAsync(http.Caller(), flavor, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted);
            http.Response.Headers.Location = $"{FlavorService.Collection}/{flavor}";
            return Results.StatusCode(StatusCodes.Status201Created);
        }).Doc(Flavors, "createFlavor", "Create a flavor over pools (admin)").Body<FlavorDocument>().Returns(StatusCodes.Status201Created);
        v2.MapGet("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
            Results.Json(await flavors.GetAsync(http.Caller(), flavor, http.RequestAborted)))
            .Doc(Flavors, "getFlavor", "Get a flavor (admin)").Returns<FlavorView>();
        v2.MapPatch("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
            Results.Json(await flavors.UpdateAsync(http.Caller(), flavor, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted)))
            .Doc(Flavors, "updateFlavor", "Change a flavor (admin)").Body<FlavorDocument>().Returns<FlavorView>();
        v2.MapDelete("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
        {
            await flavors.DeleteAsync(http.Caller(), flavor, http.RequestAborted);
            return Results.NoContent();
        }).Doc(Flavors, "deleteFlavor", "Delete a flavor (admin)").Returns(StatusCodes.Status204NoContent);
        return v2;
    }

    private const string Pools = "Pools";
    private const string Flavors = "Flavors";

    private static QueryParameterDoc[] Listing(Func<ZaqarOptions, int> max) => [Query.Marker, Query.Limit(max), Query.Detailed];

    private static ListPoolsRequest ListRequest(HttpRequest q) => new(q.String("marker"), q.Int("limit"), q.Bool("detailed"));
}
