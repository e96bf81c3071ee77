using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth;

/// <summary>
/// Decides who a caller is, the same way for both transports: a pre-signed URL (checked first, as Zaqar does;
/// it works in every mode), else a bearer token in JWT or Keystone mode (issue 15: through ASP.NET Core's authentication
/// schemes), else the trusted headers in no-auth mode. Then the
/// identity rules of section 1.2 (Client-ID, project) apply.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class Authenticator(IdentityRules identity, BearerAuthentication tokens, SignedUrls signedUrls, IOptions<AuthOptions> options)
{
    /// <param name="method">The HTTP method of a REST request (null for a hub connection: its calls are checked one by one).</param>
    /// <param name="path">The path of a REST request (null for a hub connection).</param>
    public async Task<CallContext> AuthenticateAsync(Credentials credentials, string? method, string? path)
    {
        if (credentials.Signed is { } signed)
        {
            var scope = signedUrls.Verify(signed, credentials.ProjectId, method, path);
            return identity.Validate(credentials.ProjectId, credentials.ClientId, roles: null) with { Scope = scope };
        }
        if (options.Value.Mode == AuthMode.NoAuth)
        {
            return identity.Validate(credentials.ProjectId, credentials.ClientId, credentials.Roles);
        }
        var token = await tokens.AuthenticateAsync(credentials.BearerToken);
        // With tokens, X-Project-ID may only confirm the token's project (as with Keystone).
        if (!string.IsNullOrEmpty(credentials.ProjectId) && credentials.ProjectId != token.ProjectId)
        {
            throw new ZaqarException(403, "Not authorized", "X-Project-ID does not match the token's project.");
        }
        var caller = identity.Validate(token.ProjectId, credentials.ClientId, roles: null);
        return caller with { Roles = token.Roles, ExpiresAt = token.ExpiresAt };
    }
}
