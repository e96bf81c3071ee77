using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>/v2/queues routes (zaqar-v2-api.md section 2). Thin: parse, call <see cref="QueueService"/>, render.</summary>
internal static class QueuesApi
{
    private static readonly HashSet<string> ListParameters = ["marker", "limit", "detailed", "name", "with_count"];

    public static RouteGroupBuilder MapQueuesApi(this RouteGroupBuilder v2)
    {
        const string Tag = "Queues";
        v2.MapGet("/queues", ListAsync).Doc(Tag, "listQueues", "List the project's queues").Query(Query.QueueListing).Returns<QueuePageView>();
        v2.MapPut("/queues/{queue}", CreateAsync).Doc(Tag, "createQueue", "Create a queue with metadata (an existing queue keeps its own)")
            .Body<QueueMetadataDocument>(optional: true).Returns(StatusCodes.Status201Created).Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/queues/{queue}", GetAsync).Doc(Tag, "getQueue", "Get a queue's metadata, reserved keys filled in").Returns<QueueMetadataDocument>();
        v2.MapPatch("/queues/{queue}", PatchAsync).Doc(Tag, "patchQueue", "Change a queue's metadata with a JSON patch")
            .Body<MetadataPatchOperation[]>(contentType: MetadataPatch.ContentType).Returns<QueueMetadataDocument>().Fails(409, 415);
        v2.MapDelete("/queues/{queue}", DeleteAsync).Doc(Tag, "deleteQueue", "Delete a queue with its messages and claims").Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/queues/{queue}/stats", StatsAsync).Doc(Tag, "getQueueStats", "Count a queue's messages").Returns<QueueStatsView>();
        v2.MapGet("/queues/{queue}/presence", PresenceAsync).Doc(Tag, "getQueuePresence", "Who is subscribed to the queue, on every node")
            .Returns<PresenceView>();
        v2.MapPost("/queues/{queue}/purge", PurgeAsync).Doc(Tag, "purgeQueue", "Remove a queue's messages and/or subscriptions")
            .Body<PurgeDocument>(optional: true).Returns(StatusCodes.Status204NoContent);
        v2.MapPost("/queues/{queue}/share", ShareAsync).Doc(Tag, "shareQueue", "Create a pre-signed URL for the queue")
            .Body<ShareDocument>(optional: true).Returns<Api.Auth.SharedUrlView>();
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
