namespace Zaqar.Hub.Api.Auth;

/// <summary>
/// What a transport read from a request or a connection: the identity headers (or their query-string
/// equivalents), a bearer token, and the headers of a pre-signed URL. The common API layer decides.
/// </summary>
public sealed record Credentials(
    string? ProjectId,
    string? ClientId,
    string? Roles,
    string? BearerToken,
    SignedHeaders? Signed)
{
    /// <summary>
    /// The credentials as Zaqar's headers carry them: X-Project-ID, Client-ID, X-Roles; a bearer token in Authorization
    /// (or Keystone's X-Auth-Token); the URL-* headers of a pre-signed URL. Every transport reads them this way from
    /// whatever holds its headers (REST's request, the hub's connection request), so none borrows another's helpers
    /// (issue 12 item 7).
    /// </summary>
    /// <param name="header">The last value of the named header, or null when absent.</param>
    public static Credentials FromHeaders(Func<string, string?> header)
    {
        string? Header(string name) => header(name) is { Length: > 0 } v ? v : null;
        var authorization = Header("Authorization");
        var bearer = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim()
            : Header("X-Auth-Token");
        var signature = Header("URL-Signature");
        return new Credentials(
            // An empty X-Project-ID is its own error (section 1.2), so it stays "" rather than absent.
            header("X-Project-ID"),
            Header("Client-ID"),
            Header("X-Roles"),
            bearer,
            signature is null ? null : new SignedHeaders(signature, Header("URL-Expires"), Header("URL-Methods"), Header("URL-Paths")));
    }
}

/// <summary>The URL-* headers of a request made with a pre-signed URL.</summary>
public sealed record SignedHeaders(string Signature, string? Expires, string? Methods, string? Paths);
