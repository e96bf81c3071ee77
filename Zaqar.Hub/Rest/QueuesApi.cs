using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest;

/// <summary>/v2/queues routes (zaqar-v2-api.md section 2). Thin: parse, call <see cref="QueueService"/>, render.</summary>
internal static class QueuesApi
{
    private static readonly HashSet<string> ListParameters = ["marker", "limit", "detailed", "name", "with_count"];

    public static RouteGroupBuilder MapQueuesApi(this RouteGroupBuilder v2)
    {
        v2.MapGet("/queues", ListAsync);
        v2.MapPut("/queues/{queue}", CreateAsync);
        v2.MapGet("/queues/{queue}", GetAsync);
        v2.MapPatch("/queues/{queue}", PatchAsync);
        v2.MapDelete("/queues/{queue}", DeleteAsync);
        v2.MapGet("/queues/{queue}/stats", StatsAsync);
        v2.MapGet("/queues/{queue}/presence", PresenceAsync);
        v2.MapPost("/queues/{queue}/purge", PurgeAsync);
        v2.MapPost("/queues/{queue}/share", ShareAsync);
        return v2;
    }

    private static async Task<IResult> ListAsync(HttpContext http, QueueService queues) =>
        Results.Json(await queues.ListAsync(http.Caller(), ListRequest(http.Request), http.RequestAborted));

    /// <summary>The parameters of a queue (or topic) listing; any other query key is a metadata filter.</summary>
    internal static ListQueuesRequest ListRequest(HttpRequest q)
    {
        var filters = q.Query.Where(p => !ListParameters.Contains(p.Key) && !string.IsNullOrEmpty(p.Value[^1]))
            .Select(p => new KeyValuePair<string, string>(p.Key, p.Value[^1]!)).ToList();
        return new ListQueuesRequest(q.String("marker"), q.Int("limit"), q.Bool("detailed"), q.String("name"), q.Bool("with_count"), filters);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, string queue, QueueService queues)
    {
        var created = await queues.CreateJsonAsync(
            http.Caller(), queue, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit), QueueKind.Queue, http.RequestAborted);
        // Zaqar sets the Location on both answers.
        http.Response.Headers.Location = Paths.Queue(queue);
        return created ? Results.StatusCode(StatusCodes.Status201Created) : Results.NoContent();
    }

    private static async Task<IResult> GetAsync(HttpContext http, string queue, QueueService queues) =>
        Results.Json(await queues.GetAsync(http.Caller(), queue, QueueKind.Queue, http.RequestAborted));

    private static async Task<IResult> PatchAsync(HttpContext http, string queue, QueueService queues) =>
        Results.Json(await queues.PatchJsonAsync(
            http.Caller(), queue, http.Request.ContentType, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit),
            QueueKind.Queue, http.RequestAborted));

    private static async Task<IResult> DeleteAsync(HttpContext http, string queue, QueueService queues)
    {
        await queues.DeleteAsync(http.Caller(), queue, QueueKind.Queue, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> StatsAsync(HttpContext http, string queue, QueueService queues) =>
        Results.Json(await queues.StatsAsync(http.Caller(), queue, http.RequestAborted));

    private static async Task<IResult> PurgeAsync(HttpContext http, string queue, QueueService queues, Microsoft.Extensions.Options.IOptions<ZaqarOptions> options)
    {
        var document = await http.Request.ReadOptionalJsonAsync(options.Value.MaxQueueMetadata);
        await queues.PurgeJsonAsync(http.Caller(), queue, document, QueueKind.Queue, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ShareAsync(HttpContext http, string queue, Api.Auth.SignedUrls signedUrls)
    {
        var body = await http.Request.ReadBodyAsync(64 * 1024);
        if (body.Length == 0)
        {
            return Results.Json(signedUrls.Share(http.Caller(), queue, null));
        }
        using var document = JsonInput.Parse(body);
        return Results.Json(signedUrls.Share(http.Caller(), queue, document.RootElement));
    }

    /// <summary>Who is subscribed to the queue, across all nodes (issue 13).</summary>
    private static async Task<IResult> PresenceAsync(HttpContext http, string queue, PresenceService presence) =>
        Results.Json(await presence.GetAsync(http.Caller(), queue, QueueKind.Queue, http.RequestAborted));
}
