using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Rest;

/// <summary>
/// Subscription routes (zaqar-v2-api.md section 5.1) under /v2/queues/{queue} and /v2/topics/{queue}: the same
/// handlers, the source's kind set by the route. Thin: read, call <see cref="SubscriptionService"/>, render.
/// </summary>
internal static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptionsApi(this RouteGroupBuilder v2) => v2.MapSubscriptions("/queues", QueueKind.Queue);

    /// <summary>The same routes for topics (v2.1), for the topics resource to mount with its other routes.</summary>
    public static RouteGroupBuilder MapTopicSubscriptionsApi(this RouteGroupBuilder v2) => v2.MapSubscriptions("/topics", QueueKind.Topic);

    private static RouteGroupBuilder MapSubscriptions(this RouteGroupBuilder v2, string prefix, QueueKind kind)
    {
        // The route parameter is named "queue" for topics too, so the header filter validates the name before anything else.
        var collection = prefix + "/{queue}/subscriptions";
        var item = collection + "/{subscriptionId}";
        // Operation ids name the source: the queue's and the topic's routes are separate operations.
        var (tag, source) = kind == QueueKind.Topic ? ("Topic subscriptions", "Topic") : ("Subscriptions", "Queue");
        v2.MapPost(collection, (HttpContext http, string queue, SubscriptionService subscriptions) => CreateAsync(http, kind, queue, subscriptions))
            .Doc(tag, $"create{source}Subscription", "Subscribe a webhook or mail address (creates the source if missing)")
            .Body<SubscriptionDocument>().Returns<SubscriptionCreatedView>(StatusCodes.Status201Created).Fails(409);
        v2.MapGet(collection, (HttpContext http, string queue, SubscriptionService subscriptions) => ListAsync(http, kind, queue, subscriptions))
            .Doc(tag, $"list{source}Subscriptions", "List subscriptions").Query(Query.Marker, Query.Limit(o => o.MaxSubscriptionsPerPage))
            .Returns<SubscriptionPageView>();
        v2.MapGet(item, async (HttpContext http, string queue, string subscriptionId, SubscriptionService subscriptions) =>
            Results.Json(await subscriptions.GetAsync(http.Caller(), kind, queue, subscriptionId, http.RequestAborted)))
            .Doc(tag, $"get{source}Subscription", "Get a subscription with its delivery status").Returns<SubscriptionView>();
        v2.MapPatch(item, async (HttpContext http, string queue, string subscriptionId, SubscriptionService subscriptions) =>
        {
            await subscriptions.UpdateJsonAsync(http.Caller(), kind, queue, subscriptionId, http.Request.ReadBodyAsync, http.RequestAborted);
            http.Response.Headers.Location = http.Request.Path.Value;
            return Results.NoContent();
        }).Doc(tag, $"update{source}Subscription", "Change a subscription").Body<SubscriptionPatchDocument>().Returns(StatusCodes.Status204NoContent).Fails(409);
        v2.MapDelete(item, async (HttpContext http, string queue, string subscriptionId, SubscriptionService subscriptions) =>
        {
            await subscriptions.DeleteAsync(http.Caller(), kind, queue, subscriptionId, http.RequestAborted);
            return Results.NoContent();
        }).Doc(tag, $"delete{source}Subscription", "Delete a subscription").Returns(StatusCodes.Status204NoContent);
        v2.MapPut(item + "/confirm", async (HttpContext http, string queue, string subscriptionId, SubscriptionService subscriptions) =>
        {
            await subscriptions.ConfirmJsonAsync(http.Caller(), kind, queue, subscriptionId, http.Request.ReadBodyAsync, http.RequestAborted);
            http.Response.Headers.Location = http.Request.Path.Value;
            return Results.NoContent();
        }).Doc(tag, $"confirm{source}Subscription", "Confirm (or unconfirm) a subscription").Body<ConfirmDocument>()
            .Returns(StatusCodes.Status204NoContent);
        return v2;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, QueueKind kind, string queue, SubscriptionService subscriptions)
    {
        var created = await subscriptions.CreateJsonAsync(http.Caller(), kind, queue, http.Request.ReadBodyAsync, http.RequestAborted);
        // Zaqar's Location is the collection's path (the request path).
        http.Response.Headers.Location = SubscriptionPaths.Collection(kind, queue);
        return Results.Json(created, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http, QueueKind kind, string queue, SubscriptionService subscriptions)
    {
        var request = new ListSubscriptionsRequest(http.Request.String("marker"), http.Request.Int("limit"));
        return Results.Json(await subscriptions.ListAsync(http.Caller(), kind, queue, request, http.RequestAborted));
    }
}
