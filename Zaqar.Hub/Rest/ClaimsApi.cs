using System.Text.Json;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>/v2/queues/{queue}/claims routes (zaqar-v2-api.md section 4).</summary>
internal static class ClaimsApi
{
    // A claim document is two small integers; anything much larger is not one.
    private const int MaxClaimDocument = 4096;

    public static RouteGroupBuilder MapClaimsApi(this RouteGroupBuilder v2)
    {
        const string Tag = "Claims";
        v2.MapPost("/queues/{queue}/claims", CreateAsync).Doc(Tag, "claimMessages", "Claim messages (204 when there are none to claim)")
            .Query(Query.ClaimLimit).Body<ClaimDocument>(optional: true).Returns<ClaimedMessagesDocument>(StatusCodes.Status201Created)
            .Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/queues/{queue}/claims/{claimId}", GetAsync).Doc(Tag, "getClaim", "Get a claim and its messages").Returns<ClaimView>();
        v2.MapPatch("/queues/{queue}/claims/{claimId}", UpdateAsync).Doc(Tag, "updateClaim", "Renew a claim")
            .Body<ClaimDocument>().Returns(StatusCodes.Status204NoContent);
        v2.MapDelete("/queues/{queue}/claims/{claimId}", ReleaseAsync).Doc(Tag, "releaseClaim", "Release a claim (its messages return to the queue)")
            .Returns(StatusCodes.Status204NoContent);
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
        return Results.Json(new ClaimedMessagesDocument(claim.Messages), statusCode: StatusCodes.Status201Created);
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
