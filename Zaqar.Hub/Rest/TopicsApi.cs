using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>
/// /v2/topics routes (Zaqar v2.1, zaqar-v2-api.md section 8): topics and their messages, with the queue routes'
/// parameters, rules and shapes (the common API layer applies them with <see cref="QueueKind.Topic"/>). No claim
/// routes: a topic has no claims, so /v2/topics/{topic}/claims is a path no route serves (404). Subscriptions
/// under a topic are routed with the other subscription routes.
/// </summary>
internal static class TopicsApi
{
    private const QueueKind Topic = QueueKind.Topic;

    public static RouteGroupBuilder MapTopicsApi(this RouteGroupBuilder v2)
    {
        const string Tag = "Topics";
        const string Messages = "Topic messages";
        v2.MapGet("/topics", ListAsync).Doc(Tag, "listTopics", "List the project's topics").Query(Query.QueueListing).Returns<TopicPageView>();
        v2.MapPut("/topics/{topic}", CreateAsync).Doc(Tag, "createTopic", "Create a topic with metadata (an existing topic keeps its own)")
            .Body<QueueMetadataDocument>(optional: true).Returns(StatusCodes.Status201Created).Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/topics/{topic}", GetAsync).Doc(Tag, "getTopic", "Get a topic's metadata, reserved keys filled in").Returns<QueueMetadataDocument>();
        v2.MapPatch("/topics/{topic}", PatchAsync).Doc(Tag, "patchTopic", "Change a topic's metadata with a JSON patch")
            .Body<MetadataPatchOperation[]>(contentType: MetadataPatch.ContentType).Returns<QueueMetadataDocument>().Fails(409, 415);
        v2.MapDelete("/topics/{topic}", DeleteAsync).Doc(Tag, "deleteTopic", "Delete a topic with its messages").Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/topics/{topic}/stats", StatsAsync).Doc(Tag, "getTopicStats", "Count a topic's messages").Returns<TopicStatsView>();
        v2.MapGet("/topics/{topic}/presence", PresenceAsync).Doc(Tag, "getTopicPresence", "Who is subscribed to the topic, on every node")
            .Returns<PresenceView>();
        v2.MapPost("/topics/{topic}/purge", PurgeAsync).Doc(Tag, "purgeTopic", "Remove a topic's messages and/or subscriptions")
            .Body<PurgeDocument>(optional: true).Returns(StatusCodes.Status204NoContent);
        v2.MapPost("/topics/{topic}/messages", PostMessagesAsync).Doc(Messages, "postTopicMessages", "Post messages to a topic")
            .Body<PostMessagesDocument>().Returns<PostedMessagesDocument>(StatusCodes.Status201Created);
        v2.MapGet("/topics/{topic}/messages", ListMessagesAsync).Doc(Messages, "listTopicMessages", "List a topic's messages, or get several by id")
            .Query(Query.MessageListing).Returns<MessagePageView>();
        v2.MapDelete("/topics/{topic}/messages", DeleteMessagesAsync).Doc(Messages, "deleteTopicMessages", "Delete a topic's messages by id, or pop them")
            .Query(Query.MessageDeletion).Returns<PoppedView>().Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/topics/{topic}/messages/{messageId}", GetMessageAsync).Doc(Messages, "getTopicMessage", "Get a topic's message")
            .Returns<MessageView>();
        v2.MapDelete("/topics/{topic}/messages/{messageId}", DeleteMessageAsync).Doc(Messages, "deleteTopicMessage", "Delete a topic's message")
            .Query(Query.ClaimId).Returns(StatusCodes.Status204NoContent);
        return v2;
    }

    private static async Task<IResult> ListAsync(HttpContext http, QueueService queues) =>
        Results.Json(await queues.ListTopicsAsync(http.Caller(), QueuesApi.ListRequest(http.Request), http.RequestAborted));

    private static async Task<IResult> CreateAsync(HttpContext http, string topic, QueueService queues)
    {
        var created = await queues.CreateJsonAsync(
            http.Caller(), topic, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit), Topic, http.RequestAborted);
        http.Response.Headers.Location = Paths.Queue(topic, Topic);
        return created ? Results.StatusCode(StatusCodes.Status201Created) : Results.NoContent();
    }

    private static async Task<IResult> GetAsync(HttpContext http, string topic, QueueService queues) =>
        Results.Json(await queues.GetAsync(http.Caller(), topic, Topic, http.RequestAborted));

    private static async Task<IResult> PatchAsync(HttpContext http, string topic, QueueService queues) =>
        Results.Json(await queues.PatchJsonAsync(
            http.Caller(), topic, http.Request.ContentType, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit),
            Topic, http.RequestAborted));

    private static async Task<IResult> DeleteAsync(HttpContext http, string topic, QueueService queues)
    {
        await queues.DeleteAsync(http.Caller(), topic, Topic, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> StatsAsync(HttpContext http, string topic, QueueService queues) =>
        Results.Json(await queues.TopicStatsAsync(http.Caller(), topic, http.RequestAborted));

    private static async Task<IResult> PurgeAsync(
        HttpContext http, string topic, QueueService queues, Microsoft.Extensions.Options.IOptions<ZaqarOptions> options)
    {
        var document = await http.Request.ReadOptionalJsonAsync(options.Value.MaxQueueMetadata);
        await queues.PurgeJsonAsync(http.Caller(), topic, document, Topic, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> PostMessagesAsync(HttpContext http, string topic, MessageService messages)
    {
        var posted = await messages.PostJsonAsync(
            http.Caller(), topic, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit), Topic, http.RequestAborted);
        http.Response.Headers.Location = Paths.Messages(topic, Topic) + "?ids=" + string.Join(",", posted.MessageIds);
        return Results.Json(new PostedMessagesDocument(posted.Resources), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListMessagesAsync(HttpContext http, string topic, MessageService messages)
    {
        var q = http.Request;
        // "ids" wins over the listing parameters, as on a queue.
        if (q.List("ids") is { } ids)
        {
            return Results.Json(await messages.GetManyAsync(http.Caller(), topic, ids, Topic, http.RequestAborted));
        }
        var request = new ListMessagesRequest(
            q.String("marker"), q.Int("limit"), q.Bool("echo"), q.Bool("include_claimed"), q.Bool("include_delayed"));
        return Results.Json(await messages.ListAsync(http.Caller(), topic, request, Topic, http.RequestAborted));
    }

    private static async Task<IResult> GetMessageAsync(HttpContext http, string topic, string messageId, MessageService messages) =>
        Results.Json(await messages.GetAsync(http.Caller(), topic, messageId, Topic, http.RequestAborted));

    private static async Task<IResult> DeleteMessageAsync(HttpContext http, string topic, string messageId, MessageService messages)
    {
        await messages.DeleteAsync(http.Caller(), topic, messageId, http.Request.String("claim_id"), Topic, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteMessagesAsync(HttpContext http, string topic, MessageService messages)
    {
        var q = http.Request;
        var popped = await messages.DeleteManyAsync(
            http.Caller(), topic, q.List("ids"), q.List("claim_ids"), q.Int("pop"), Topic, http.RequestAborted);
        return popped is null ? Results.NoContent() : Results.Json(popped);
    }

    /// <summary>Who is subscribed to the topic, across all nodes (issue 13).</summary>
    private static async Task<IResult> PresenceAsync(HttpContext http, string topic, PresenceService presence) =>
        Results.Json(await presence.GetAsync(http.Caller(), topic, QueueKind.Topic, http.RequestAborted));
}
