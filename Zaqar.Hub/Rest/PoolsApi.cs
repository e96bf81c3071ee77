using Zaqar.Hub.Api;

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
            Results.Json(await pools.ListAsync(http.Caller(), ListRequest(http.Request), http.RequestAborted)));
        v2.MapPut("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
        {
            await pools.CreateAsync(http.Caller(), pool, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted);
            http.Response.Headers.Location = $"{PoolService.Collection}/{pool}";
            return Results.StatusCode(StatusCodes.Status201Created);
        });
        v2.MapGet("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
            Results.Json(await pools.GetAsync(http.Caller(), pool, http.Request.Bool("detailed") ?? false, http.RequestAborted)));
        v2.MapPatch("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
            Results.Json(await pools.UpdateAsync(http.Caller(), pool, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted)));
        v2.MapDelete("/pools/{pool}", async (HttpContext http, string pool, PoolService pools) =>
        {
            await pools.DeleteAsync(http.Caller(), pool, http.RequestAborted);
            return Results.NoContent();
        });

        v2.MapGet("/flavors", async (HttpContext http, FlavorService flavors) =>
            Results.Json(await flavors.ListAsync(http.Caller(), ListRequest(http.Request), http.RequestAborted)));
        v2.MapPut("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
        {
            await flavors.CreateAsync(http.Caller(), flavor, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted);
            http.Response.Headers.Location = $"{FlavorService.Collection}/{flavor}";
            return Results.StatusCode(StatusCodes.Status201Created);
        });
        v2.MapGet("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
            Results.Json(await flavors.GetAsync(http.Caller(), flavor, http.RequestAborted)));
        v2.MapPatch("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
            Results.Json(await flavors.UpdateAsync(http.Caller(), flavor, () => http.Request.ReadOptionalJsonAsync(MaxDocumentBytes), http.RequestAborted)));
        v2.MapDelete("/flavors/{flavor}", async (HttpContext http, string flavor, FlavorService flavors) =>
        {
            await flavors.DeleteAsync(http.Caller(), flavor, http.RequestAborted);
            return Results.NoContent();
        });
        return v2;
    }

    private static ListPoolsRequest ListRequest(HttpRequest q) => new(q.String("marker"), q.Int("limit"), q.Bool("detailed"));
}
