using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Who a hub connection is. Because a browser can't set headers on a WebSocket, every credential may come from
/// the query string as well as from headers: <c>project_id</c>/X-Project-ID, <c>client_id</c>/Client-ID,
/// <c>roles</c>/X-Roles, <c>access_token</c>/Authorization (the SignalR clients' own way of sending a token),
/// and <c>url_signature</c>, <c>url_expires</c>, <c>url_methods</c>, <c>url_paths</c> for a pre-signed URL.
/// Checked on every HTTP request of the connection (negotiate, connect, polls) by the common API layer's
/// <see cref="Authenticator"/>, and fixed for the connection's life: every call on it is scoped to that project.
/// </summary>
internal static class HubIdentity
{
    public static Credentials Read(HttpRequest request)
    {
        var headers = Credentials.FromHeaders(name => request.Headers[name].LastOrDefault());
        string? Query(string name) => request.Query[name].LastOrDefault() is { Length: > 0 } v ? v : null;
        var signature = headers.Signed?.Signature ?? Query("url_signature");
        return new Credentials(
            headers.ProjectId ?? Query("project_id") ?? Query("X-Project-ID"),
            headers.ClientId ?? Query("client_id") ?? Query("Client-ID"),
            headers.Roles ?? Query("roles"),
            headers.BearerToken ?? Query("access_token"),
            signature is null
                ? null
                : headers.Signed ?? new SignedHeaders(signature, Query("url_expires"), Query("url_methods"), Query("url_paths")));
    }

    /// <summary>Fixes the caller of a new connection (from the request that opened it).</summary>
    public static async Task<CallContext> AttachAsync(HubCallerContext context, Authenticator authenticator)
    {
        var http = context.GetHttpContext() ?? throw new HubException("The connection has no HTTP request to read its identity from.");
        var caller = await authenticator.AuthenticateAsync(Read(http.Request), method: null, path: null);
        // A feature, not an item: the connection's feature collection exists anyway, its Items dictionary would be one more (issue 14).
        context.Features.Set(new HubConnectionFeature(caller));
        return caller;
    }

    /// <summary>The connection token a request of an existing connection names it by (SignalR's <c>id</c> query parameter).</summary>
    public static string? ConnectionToken(HttpRequest request) =>
        request.Query["id"].LastOrDefault() is { Length: > 0 } token ? token : null;

    /// <summary>The connection token of a connection, from the request that opened it; null when it was opened without one.</summary>
    public static string? ConnectionToken(HubCallerContext context) =>
        context.GetHttpContext() is { } http ? ConnectionToken(http.Request) : null;

    public static CallContext Caller(this HubCallerContext context) =>
        context.Features.Get<HubConnectionFeature>()?.Caller ?? throw new HubException("The connection has no identity.");

    /// <summary>The identity of a connection, as the hub's own code outside a call sees it; null before it connected.</summary>
    public static CallContext? Caller(this HubConnectionContext connection) =>
        connection.Features.Get<HubConnectionFeature>()?.Caller;

    /// <summary>
    /// Refuses, before SignalR sees them, the hub's HTTP requests whose identity is missing, malformed or not
    /// authenticated, with REST's status and error body (the JS client reports the status; a .NET client the body); and
    /// the requests naming a connection token that another identity negotiated, as SignalR answers an unknown one.
    /// </summary>
    /// <remarks>
    /// Issue 14: the WebSocket request of a connection lasts as long as the connection, so this middleware keeps nothing
    /// of it: the services come from the application (a request scope would be held open), and once the request is
    /// admitted it is handed on, not awaited (unless authenticating it had to wait).
    /// </remarks>
    public static IApplicationBuilder UseHubIdentity(this IApplicationBuilder app, PathString hubPath)
    {
        var sessions = app.ApplicationServices.GetRequiredService<HubSessions>();
        var authenticator = app.ApplicationServices.GetRequiredService<Authenticator>();
        var limits = app.ApplicationServices.GetRequiredService<HubConnectionLimits>();
        return app.Use((http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments(hubPath, out var rest))
            {
                return next(http);
            }
            var admitted = AdmitAsync(http, next, rest);
            return admitted.IsCompletedSuccessfully
                ? admitted.Result ? next(http) : Task.CompletedTask
                : NextWhenAdmittedAsync(admitted, http, next);
        });

        // True when the request goes on to SignalR; otherwise it was answered here.
        async Task<bool> AdmitAsync(HttpContext http, RequestDelegate next, PathString rest)
        {
            CallContext caller;
            try
            {
                caller = await authenticator.AuthenticateAsync(Read(http.Request), null, null);
                limits.CheckCanConnect(http, caller);
            }
            catch (ZaqarException ex)
            {
                await ErrorResponse.WriteAsync(http, ex.Status, ex.Title, ex.Description, ex.Headers);
                return false;
            }
            if (rest == "/negotiate")
            {
                await NegotiateAsync(http, next, token => sessions.Negotiated(token, caller));
                return false;
            }
            if (ConnectionToken(http.Request) is { } token && !sessions.Claim(token, caller))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("No Connection with that ID");
                return false;
            }
            return true;
        }

        static async Task NextWhenAdmittedAsync(Task<bool> admitted, HttpContext http, RequestDelegate next)
        {
            if (await admitted)
            {
                await next(http);
            }
        }
    }

    /// <summary>
    /// Runs SignalR's negotiate with its answer held back until <paramref name="bind"/> has the connection token it
    /// hands out (issue 10: the token is bound to the negotiating identity before the client can use it).
    /// </summary>
    private static async Task NegotiateAsync(HttpContext http, RequestDelegate next, Action<string> bind)
    {
        var original = http.Response.Body;
        using var answer = new MemoryStream();
        http.Response.Body = answer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }
        if (http.Response.StatusCode == StatusCodes.Status200OK && NegotiatedToken(answer.GetBuffer().AsSpan(0, (int)answer.Length)) is { } token)
        {
            bind(token);
        }
        answer.Position = 0;
        await answer.CopyToAsync(original, http.RequestAborted);
    }

    /// <summary>The token of a negotiate answer: <c>connectionToken</c>, or <c>connectionId</c> in protocol version 0 (where they are one).</summary>
    private static string? NegotiatedToken(ReadOnlySpan<byte> json)
    {
        try
        {
            var negotiated = JsonSerializer.Deserialize<NegotiateAnswer>(json);
            return negotiated?.ConnectionToken ?? negotiated?.ConnectionId;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record NegotiateAnswer(
        [property: JsonPropertyName("connectionId")] string? ConnectionId,
        [property: JsonPropertyName("connectionToken")] string? ConnectionToken);
}

/// <summary>What the hub keeps with a connection, as a feature of it: its caller, fixed when it started.</summary>
internal sealed class HubConnectionFeature(CallContext caller)
{
    public CallContext Caller { get; } = caller;

    /// <summary><see cref="PlainClientFilter"/>'s verdict on the connection, worked out at its first call.</summary>
    public bool? PlainDotNetMessagePack { get; set; }
}
