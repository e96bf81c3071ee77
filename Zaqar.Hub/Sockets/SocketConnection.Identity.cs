using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Sockets;

// Who a frame speaks for (zaqar-v2-api.md 10.3), decided by the common API layer's Authenticator as for REST and the hub:
// - no-auth mode: each frame's X-Project-ID, Client-ID (and X-Roles), as REST trusts them;
// - JWT mode: nothing but authenticate (or a pre-signed frame) until the connection authenticated with X-Auth-Token;
//   then each frame's X-Project-ID must be the token's project, and the connection closes with 4003 when the token expires;
// - a frame with URL-Signature (any mode): the pre-signed grant, for the actions it maps to.
public sealed partial class SocketConnection
{
    public const string ExpiredReason = "Authentication expired.";

    /// <summary>Zaqar's close code for an expired token.</summary>
    public const int ExpiredCloseCode = 4003;

    private CallContext? _authenticated;
    private ITimer? _expiry;

    private bool TokensRequired => _services.Auth.Value.TokensRequired;

    private async Task<SocketReply> AuthenticateAsync(SocketFrame frame)
    {
        if (!TokensRequired)
        {
            // Nothing to check: in this mode every frame names its project. A client written for Keystone deployments
            // authenticates first and goes on (Zaqar never answers it here, and the client waits forever).
            return new(200, new JsonObject { ["message"] = "Authentified." });
        }
        var token = frame.Header("X-Auth-Token");
        if (token is not null && token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token[7..].Trim();
        }
        CallContext caller;
        try
        {
            // Authenticating is no request of a client: without a Client-ID, any valid one stands in for the check.
            var credentials = new Credentials(frame.Header("X-Project-ID"), frame.Header("Client-ID") ?? Guid.Empty.ToString(), null, token, null);
            caller = await _services.Authenticator.AuthenticateAsync(credentials, method: null, path: null);
        }
        catch (ZaqarException ex)
        {
            SocketLog.AuthenticationFailed(_services.Logger, Id, ex.Description ?? ex.Title);
            return new(ex.Status, SocketAnswers.Error("Authentication failed."));
        }
        _authenticated = caller;
        _expiry?.Dispose();
        if (caller.ExpiresAt is { } expires)
        {
            var due = expires - _services.Time.GetUtcNow();
            _expiry = _services.Time.CreateTimer(
                _ => _outbox.Close((WebSocketCloseStatus)ExpiredCloseCode, ExpiredReason), null, due > TimeSpan.Zero ? due : TimeSpan.Zero,
                Timeout.InfiniteTimeSpan);
        }
        return new(200, new JsonObject { ["message"] = "Authentified." });
    }

    /// <summary>The caller of a frame; or the refusal to answer with. Identity errors (a malformed Client-ID…) are thrown.</summary>
    private async Task<(CallContext? Caller, SocketReply? Refusal)> IdentifyAsync(SocketFrame frame, string action, ActionSchema schema)
    {
        if (frame.Header("URL-Signature") is { } signature)
        {
            return await SignedAsync(frame, action, signature);
        }
        if (TokensRequired)
        {
            if (_authenticated is not { } session)
            {
                return (null, NotAuthentified);
            }
            if (frame.Header("X-Project-ID") is { } project && project != session.ProjectId)
            {
                return (null, new(403, SocketAnswers.Error("Not authenticated.")));
            }
            return (schema.Headers.Length == 0 ? session : session with { ClientId = _services.Identity.NormalizeClientId(frame.Header("Client-ID")) }, null);
        }
        if (schema.Headers.Length == 0)
        {
            return (null, null);
        }
        var credentials = new Credentials(frame.Header("X-Project-ID"), frame.Header("Client-ID"), frame.Header("X-Roles"), null, null);
        return (await _services.Authenticator.AuthenticateAsync(credentials, method: null, path: null), null);
    }

    /// <summary>
    /// A pre-signed frame: allowed only for an action standing for a request the grant covers (the REST request it maps to,
    /// queue included; Zaqar checks only the method). Any failure is 403 "Not authentified.", as Zaqar answers.
    /// </summary>
    private async Task<(CallContext? Caller, SocketReply? Refusal)> SignedAsync(SocketFrame frame, string action, string signature)
    {
        if (SocketScopes.For(action, frame) is not { } request)
        {
            return (null, NotAuthentified);
        }
        var signed = new SignedHeaders(signature, frame.Header("URL-Expires"), frame.Header("URL-Methods"), frame.Header("URL-Paths"));
        var credentials = new Credentials(frame.Header("X-Project-ID"), frame.Header("Client-ID"), null, null, signed);
        try
        {
            return (await _services.Authenticator.AuthenticateAsync(credentials, request.Method, request.Path), null);
        }
        catch (ZaqarException ex) when (ex.Status == 404)
        {
            return (null, NotAuthentified);
        }
    }

    private static SocketReply NotAuthentified => new(403, SocketAnswers.Error("Not authentified."));
}

/// <summary>
/// The REST request each action stands for (method and path), for pre-signed frames: Zaqar's mapping of the message
/// actions, plus claims and subscriptions, which a grant's <c>paths</c> can name as well. Other actions have none.
/// </summary>
public static class SocketScopes
{
    public static (string Method, string Path)? For(string action, SocketFrame frame)
    {
        var queue = frame.Body.TryGetProperty("queue_name", out var q) && q.ValueKind == System.Text.Json.JsonValueKind.String ? q.GetString() : null;
        if (!IdentityRules.IsValidQueueName(queue))
        {
            return null;
        }
        var root = $"/v2/queues/{queue}";
        string Item(string collection, string key) => $"{root}/{collection}/{Id(frame, key)}";
        return action switch
        {
            "message_list" or "message_get_many" => ("GET", root + "/messages"),
            "message_get" => ("GET", Item("messages", "message_id")),
            "message_post" => ("POST", root + "/messages"),
            "message_delete" => ("DELETE", Item("messages", "message_id")),
            "message_delete_many" => ("DELETE", root + "/messages"),
            "claim_create" => ("POST", root + "/claims"),
            "claim_get" => ("GET", Item("claims", "claim_id")),
            "claim_update" => ("PATCH", Item("claims", "claim_id")),
            "claim_delete" => ("DELETE", Item("claims", "claim_id")),
            "subscription_create" => ("POST", root + "/subscriptions"),
            "subscription_list" => ("GET", root + "/subscriptions"),
            "subscription_get" => ("GET", Item("subscriptions", "subscription_id")),
            "subscription_delete" => ("DELETE", Item("subscriptions", "subscription_id")),
            _ => null,
        };
    }

    // Ids go into a path: only the characters ids are made of, so a crafted one can't reach another path.
    private static string Id(SocketFrame frame, string key) =>
        frame.Body.TryGetProperty(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String &&
        v.GetString() is { } id && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? id : string.Empty;
}
