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
    SignedHeaders? Signed);

/// <summary>The URL-* headers of a request made with a pre-signed URL.</summary>
public sealed record SignedHeaders(string Signature, string? Expires, string? Methods, string? Paths);
