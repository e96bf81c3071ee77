using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Api;
using Zaqar.Hub.Rest;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Who a hub connection is: project and Client-ID from the X-Project-ID and Client-ID headers or, because a
/// browser can't set headers on a WebSocket, from the query string (<c>project_id</c>, <c>client_id</c>,
/// <c>roles</c>). Checked on every HTTP request of the connection (negotiate, connect, polls) with the same
/// rules as REST, and fixed for the connection's life: every call on it is scoped to that project.
/// </summary>
internal static class HubIdentity
{
    private const string ItemKey = "zaqar.call-context";

    public static CallContext Read(HttpContext http, IdentityRules rules)
    {
        var request = http.Request;
        static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return rules.Validate(
            First(request.Headers["X-Project-ID"].LastOrDefault(), request.Query["project_id"].LastOrDefault(), request.Query["X-Project-ID"].LastOrDefault()),
            First(request.Headers["Client-ID"].LastOrDefault(), request.Query["client_id"].LastOrDefault(), request.Query["Client-ID"].LastOrDefault()),
            First(request.Headers["X-Roles"].LastOrDefault(), request.Query["roles"].LastOrDefault()));
    }

    /// <summary>Fixes the caller of a new connection (from the request that opened it).</summary>
    public static void Attach(HubCallerContext context, IdentityRules rules)
    {
        var http = context.GetHttpContext() ?? throw new HubException("The connection has no HTTP request to read its identity from.");
        context.Items[ItemKey] = Read(http, rules);
    }

    public static CallContext Caller(this HubCallerContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is CallContext caller
            ? caller
            : throw new HubException("The connection has no identity.");

    /// <summary>
    /// Refuses, before SignalR sees them, the hub's HTTP requests whose identity is missing or malformed, with
    /// REST's status and error body (the JS client reports the status; a .NET client the body).
    /// </summary>
    public static IApplicationBuilder UseHubIdentity(this IApplicationBuilder app, PathString hubPath) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(hubPath))
            {
                try
                {
                    Read(http, http.RequestServices.GetRequiredService<IdentityRules>());
                }
                catch (ZaqarException ex)
                {
                    await RestErrors.WriteAsync(http, ex.Status, ex.Title, ex.Description, ex.Headers);
                    return;
                }
            }
            await next(http);
        });
}
