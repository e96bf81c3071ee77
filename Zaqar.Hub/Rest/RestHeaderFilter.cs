using Microsoft.Net.Http.Headers;
using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Rest;

/// <summary>
/// The checks Zaqar runs before every /v2 request (zaqar-v2-api.md section 1.2): no form bodies, JSON
/// acceptable, then who the caller is (pre-signed URL, bearer token or trusted headers, decided by the common API
/// layer's <see cref="Authenticator"/>) and the queue or topic name in the path, all before a parameter or the body
/// is read.
/// </summary>
internal sealed class RestHeaderFilter(Authenticator authenticator, ProjectRateLimiter rateLimiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (request.HasBody() &&
            request.ContentType is { } type && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            throw new ZaqarException(400, "Invalid Content-Type",
                "Endpoint does not accept `application/x-www-form-urlencoded` content; currently supported media type is " +
                "`application/json`; specify proper media type or leave it empty (and it will default to `application/json`).");
        }
        if (!AcceptsJson(request))
        {
            throw new ZaqarException(406, "Media type not acceptable",
                "Endpoint only serves `application/json`; specify client-side media type support with the \"Accept\" header.");
        }
        var caller = await authenticator.AuthenticateAsync(RestRequest.Credentials(request), request.Method, request.Path.Value ?? "/");
        if (request.RouteValues.TryGetValue("queue", out var queue) && queue is string name)
        {
            IdentityRules.ValidateQueueName(name, caller.ProjectId);
        }
        if (request.RouteValues.TryGetValue("topic", out var topic) && topic is string topicName)
        {
            IdentityRules.ValidateQueueName(topicName, caller.ProjectId, QueueKind.Topic);
        }
        rateLimiter.Acquire(caller);
        http.SetCaller(caller);
        return await next(context);
    }

    /// <summary>
    /// Puts the group's routes behind these checks, and says so in their metadata: the OpenAPI document (issue 15) gives
    /// them the headers read here and the failures every /v2 request can meet, with Zaqar's error body.
    /// </summary>
    public static RouteGroupBuilder Apply(RouteGroupBuilder group)
    {
        group.AddEndpointFilter<RestHeaderFilter>().WithMetadata(new RestHeaderChecks());
        foreach (var status in RestHeaderChecks.Failures)
        {
            group.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorView), [OpenApi.RestDocs.JsonType]));
        }
        return group;
    }

    private static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || string.IsNullOrWhiteSpace(accept.ToString()))
        {
            return true;
        }
        if (!MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return false;
        }
        return types.Any(t => (t.Quality ?? 1) > 0 &&
            (t.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase) ||
             t.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase) ||
             t.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)));
    }
}

/// <summary>Metadata of an endpoint behind <see cref="RestHeaderFilter"/>.</summary>
internal sealed record RestHeaderChecks
{
    /// <summary>
    /// What any /v2 request can be answered besides its route's own outcomes: 400 (a header, the queue name, a parameter),
    /// 401 (a token mode's missing or bad token), 403 (role, project), 404 (a refused pre-signed URL), 406 (Accept), 429 (the project's rate limit), 500 and 503 (storage unavailable).
    /// </summary>
    public static readonly int[] Failures = [400, 401, 403, 404, 406, 429, 500, 503];
}
