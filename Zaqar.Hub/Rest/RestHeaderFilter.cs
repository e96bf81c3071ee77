using Microsoft.Net.Http.Headers;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest;

/// <summary>
/// The checks Zaqar runs before every /v2 request, in its order (zaqar-v2-api.md section 1.2): a pre-signed
/// URL's grant (when the request carries a URL-Signature), no form bodies, JSON acceptable, then the caller's
/// identity and the queue name in the path (both validated by the common API layer), all before a parameter or the
/// body is read.
/// </summary>
internal sealed class RestHeaderFilter(IdentityRules identity, SignedUrls signedUrls) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (request.Headers["URL-Signature"].LastOrDefault() is { Length: > 0 } signature &&
            !signedUrls.Verify(request.Method, request.Path.Value ?? "/", request.Headers["X-Project-ID"].LastOrDefault(),
                request.Headers["URL-Expires"].LastOrDefault(), request.Headers["URL-Methods"].LastOrDefault(),
                request.Headers["URL-Paths"].LastOrDefault(), signature))
        {
            // Zaqar answers any failure of a signed request with a bare 404, telling nothing about why.
            throw new ZaqarException(404, "404 Not Found");
        }
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
        var caller = identity.Validate(
            request.Headers["X-Project-ID"].LastOrDefault(),
            request.Headers["Client-ID"].LastOrDefault(),
            request.Headers["X-Roles"].LastOrDefault());
        if (request.RouteValues.TryGetValue("queue", out var queue) && queue is string name)
        {
            IdentityRules.ValidateQueueName(name, caller.ProjectId);
        }
        http.SetCaller(caller);
        return next(context);
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
