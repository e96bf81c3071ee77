using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest.OpenApi;

/// <summary>What a query parameter holds, as the handlers read it (<see cref="RestRequest"/>).</summary>
internal enum QueryKind
{
    Text,
    Integer,
    /// <summary>Falcon's booleans: true, True, t, yes, y, 1, on / false, False, f, no, n, 0, off.</summary>
    Boolean,
    /// <summary>A comma-separated list (repeated parameters are joined).</summary>
    List,
}

/// <summary>
/// A query parameter a handler reads by hand (issue 15): the handlers parse the query the way Zaqar does, so ASP.NET
/// cannot infer these from their signatures; this metadata on the endpoint tells the OpenAPI document about them.
/// <see cref="Bounds"/> reads the limits from the service's own <see cref="ZaqarOptions"/>, so the document shows the
/// deployment's limits and no number is written twice.
/// </summary>
internal sealed record QueryParameterDoc(string Name, QueryKind Kind, string Description, Func<ZaqarOptions, (int Min, int Max)>? Bounds = null);

/// <summary>The query parameters the REST routes share; each says what Zaqar does with it (zaqar-v2-api.md 1.5, 2.2, 3).</summary>
internal static class Query
{
    public static readonly QueryParameterDoc Marker = new("marker", QueryKind.Text, "The key of the last item of the previous page (from its `next` link).");
    public static readonly QueryParameterDoc Detailed = new("detailed", QueryKind.Boolean, "Include each item's metadata (or options).");

    public static QueryParameterDoc Limit(Func<ZaqarOptions, int> max) => new("limit", QueryKind.Integer, "Items per page (default 10).", o => (1, max(o)));

    public static readonly QueryParameterDoc[] QueueListing =
    [
        Marker, Limit(o => o.MaxQueuesPerPage), Detailed,
        new("name", QueryKind.Text, "Only names that start with this text."),
        new("with_count", QueryKind.Boolean, "Add `count`: how many match, over all pages."),
    ];

    public static readonly QueryParameterDoc[] MessageListing =
    [
        new("marker", QueryKind.Text, "The id of the last message of the previous page."),
        Limit(o => o.MaxMessagesPerPage),
        new("echo", QueryKind.Boolean, "Include messages posted with the caller's own Client-ID (default false)."),
        new("include_claimed", QueryKind.Boolean, "Include claimed messages (default false)."),
        new("include_delayed", QueryKind.Boolean, "Include messages whose delay has not passed (default false on a delayed queue)."),
        new("ids", QueryKind.List, "Fetch these messages instead of a page (unknown ids are skipped; 404 if none is found).",
            o => (1, o.MaxMessagesPerPage)),
    ];

    public static readonly QueryParameterDoc[] MessageDeletion =
    [
        new("ids", QueryKind.List, "Delete these messages (claimed or not).", o => (1, o.MaxMessagesPerPage)),
        new("claim_ids", QueryKind.List, "The claims of the messages in `ids` (required with the message_delete_with_claim_id setting)."),
        new("pop", QueryKind.Integer, "Remove and return this many messages from the head of the queue instead.", o => (1, o.MaxMessagesPerClaimOrPop)),
    ];

    public static readonly QueryParameterDoc ClaimId = new("claim_id", QueryKind.Text, "The claim holding the message (required when it is claimed).");

    public static readonly QueryParameterDoc ClaimLimit =
        new("limit", QueryKind.Integer, "Messages to claim at most (default 10).", o => (1, o.MaxMessagesPerClaimOrPop));
}

/// <summary>The request document of a route, for <see cref="ZaqarOperationTransformer"/> to describe.</summary>
internal sealed record RequestBodyDoc(Type Type, string ContentType, bool Optional);

/// <summary>
/// An endpoint answered by a middleware pipeline rather than a route handler (the probes, the scrape), which ASP.NET's
/// OpenAPI generator does not describe: the endpoint carries this, and <see cref="ZaqarDocumentTransformer"/> adds it.
/// </summary>
internal sealed record PipelineEndpointDoc(string Tag, string OperationId, string Summary, string ContentType, params int[] Statuses);

/// <summary>The documentation calls the REST routes are mapped with (issue 15): tags, operation ids, bodies, responses, errors.</summary>
internal static class RestDocs
{
    public const string JsonType = "application/json";

    /// <summary>Tag, operation id (unique over the document) and one-line summary of an operation.</summary>
    public static RouteHandlerBuilder Doc(this RouteHandlerBuilder route, string tag, string operationId, string summary) =>
        route.WithTags(tag).WithName(operationId).WithSummary(summary);

    public static RouteHandlerBuilder Query(this RouteHandlerBuilder route, params QueryParameterDoc[] parameters) =>
        route.WithMetadata([.. parameters]);

    /// <summary>
    /// The JSON document the handler reads by hand (<paramref name="optional"/>: a request may have no body); a body may be
    /// refused as too large (413). Not ASP.NET's Accepts: its metadata would make routing pick endpoints by Content-Type,
    /// where Zaqar reads a body whatever its type says (only a form is refused, by the header checks).
    /// </summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder route, bool optional = false, string contentType = JsonType)
        where T : notnull => route.WithMetadata(new RequestBodyDoc(typeof(T), contentType, optional)).Fails(StatusCodes.Status413PayloadTooLarge);

    /// <summary>A success answer with a JSON body of <typeparamref name="T"/>.</summary>
    public static RouteHandlerBuilder Returns<T>(this RouteHandlerBuilder route, int status = StatusCodes.Status200OK) =>
        route.Produces<T>(status, JsonType);

    /// <summary>A success answer without a body.</summary>
    public static RouteHandlerBuilder Returns(this RouteHandlerBuilder route, int status) => route.Produces(status);

    /// <summary>Failures particular to the route, each with Zaqar's error body (those every /v2 route shares are added for all).</summary>
    public static RouteHandlerBuilder Fails(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            route.Produces<ErrorView>(status, JsonType);
        }
        return route;
    }
}
