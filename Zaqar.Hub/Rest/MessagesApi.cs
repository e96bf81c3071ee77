using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>/v2/queues/{queue}/messages routes (zaqar-v2-api.md section 3).</summary>
internal static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder v2)
    {
        const string Tag = "Messages";
        v2.MapPost("/queues/{queue}/messages", PostAsync).Doc(Tag, "postMessages", "Post messages (creates the queue if missing)")
            .Body<PostMessagesDocument>().Returns<PostedMessagesDocument>(StatusCodes.Status201Created);
        v2.MapGet("/queues/{queue}/messages", ListAsync).Doc(Tag, "listMessages", "List messages, or get several by id")
            .Query(Query.MessageListing).Returns<MessagePageView>();
        v2.MapDelete("/queues/{queue}/messages", DeleteManyAsync).Doc(Tag, "deleteMessages", "Delete messages by id, or pop them")
            .Query(Query.MessageDeletion).Returns<PoppedView>().Returns(StatusCodes.Status204NoContent);
        v2.MapGet("/queues/{queue}/messages/{messageId}", GetAsync).Doc(Tag, "getMessage", "Get a message").Returns<MessageView>();
        v2.MapDelete("/queues/{queue}/messages/{messageId}", DeleteAsync).Doc(Tag, "deleteMessage", "Delete a message (with its claim id when claimed)")
            .Query(Query.ClaimId).Returns(StatusCodes.Status204NoContent);
        return v2;
    }

    private static async Task<IResult> PostAsync(HttpContext http, string queue, MessageService messages)
    {
        var posted = await messages.PostJsonAsync(
            http.Caller(), queue, http.Request.ContentLength, limit => http.Request.ReadBodyAsync(limit), QueueKind.Queue, http.RequestAborted);
        http.Response.Headers.Location = Paths.Messages(queue) + "?ids=" + string.Join(",", posted.MessageIds);
        return Results.Json(new PostedMessagesDocument(posted.Resources), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http, string queue, MessageService messages)
    {
        var q = http.Request;
        // "ids" wins over the listing parameters.
        if (q.List("ids") is { } ids)
        {
            return Results.Json(await messages.GetManyAsync(http.Caller(), queue, ids, QueueKind.Queue, http.RequestAborted));
        }
        var request = new ListMessagesRequest(
            q.String("marker"), q.Int("limit"), q.Bool("echo"), q.Bool("include_claimed"), q.Bool("include_delayed"));
        return Results.Json(await messages.ListAsync(http.Caller(), queue, request, QueueKind.Queue, http.RequestAborted));
    }

    private static async Task<IResult> GetAsync(HttpContext http, string queue, string messageId, MessageService messages) =>
        Results.Json(await messages.GetAsync(http.Caller(), queue, messageId, QueueKind.Queue, http.RequestAborted));

    private static async Task<IResult> DeleteAsync(HttpContext http, string queue, string messageId, MessageService messages)
    {
        await messages.DeleteAsync(http.Caller(), queue, messageId, http.Request.String("claim_id"), QueueKind.Queue, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteManyAsync(HttpContext http, string queue, MessageService messages)
    {
        var q = http.Request;
        var popped = await messages.DeleteManyAsync(http.Caller(), queue, q.List("ids"), q.List("claim_ids"), q.Int("pop"), QueueKind.Queue, http.RequestAborted);
        return popped is null ? Results.NoContent() : Results.Json(popped);
    }
}
