using System.Text.Json;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest;

/// <summary>/v2/queues/{queue}/claims routes (zaqar-v2-api.md section 4).</summary>
internal static class ClaimsApi
{
    // A claim document is two small integers; anything much larger is not one.
    private const int MaxClaimDocument = 4096;

    public static RouteGroupBuilder MapClaimsApi(this RouteGroupBuilder v2)
    {
        v2.MapPost("/queues/{queue}/claims", CreateAsync);
        v2.MapGet("/queues/{queue}/claims/{claimId}", GetAsync);
        v2.MapPatch("/queues/{queue}/claims/{claimId}", UpdateAsync);
        v2.MapDelete("/queues/{queue}/claims/{claimId}", ReleaseAsync);
        return v2;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, string queue, ClaimService claims)
    {
        var (ttl, grace) = RequestBodies.Claim(await ReadClaimDocumentAsync(http.Request));
        var claim = await claims.CreateAsync(http.Caller(), queue, ttl, grace, http.Request.Int("limit"), http.RequestAborted);
        if (claim is null)
        {
            return Results.NoContent();
        }
        http.Response.Headers.Location = Paths.Claims(queue) + "/" + claim.ClaimId;
        return Results.Json(new { messages = claim.Messages }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string queue, string claimId, ClaimService claims) =>
        Results.Json(await claims.GetAsync(http.Caller(), queue, claimId, http.RequestAborted));

    private static async Task<IResult> UpdateAsync(HttpContext http, string queue, string claimId, ClaimService claims)
    {
        var (ttl, grace) = RequestBodies.ClaimUpdate(await ReadClaimDocumentAsync(http.Request));
        await claims.UpdateAsync(http.Caller(), queue, claimId, ttl, grace, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ReleaseAsync(HttpContext http, string queue, string claimId, ClaimService claims)
    {
        await claims.ReleaseAsync(http.Caller(), queue, claimId, http.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>The request's JSON document, or null when it has no body.</summary>
    private static async Task<JsonElement?> ReadClaimDocumentAsync(HttpRequest request)
    {
        var body = await request.ReadBodyAsync(MaxClaimDocument);
        if (body.Length == 0)
        {
            return null;
        }
        if (body.Length > MaxClaimDocument)
        {
            throw ApiErrors.BadBody("Request body could not be parsed.");
        }
        using var document = JsonInput.Parse(body);
        return document.RootElement.Clone();
    }
}
