using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api.Auth.Keystone;

namespace Zaqar.Hub.Api.Auth;

/// <summary>A validated token: whose project, which roles, until when.</summary>
public sealed record TokenIdentity(string ProjectId, IReadOnlySet<string> Roles, DateTimeOffset? ExpiresAt);

/// <summary>
/// Checks a bearer token with the configured ASP.NET Core authentication scheme (JwtBearer or Keystone, issue 15) and
/// reads the caller's project and roles from the principal it yields. Every transport hands its token here (REST's
/// headers, a hub connection's headers or access_token, a websocket frame's X-Auth-Token), so one scheme decides for all
/// of them: the scheme's handler runs on a request holding only that token. A bad token is 401, a token without a
/// project is 403, an unreachable Keystone is 503.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class BearerAuthentication(IServiceScopeFactory scopes, IOptions<AuthOptions> options)
{
    public static string SchemeOf(AuthMode mode) => mode == AuthMode.Keystone ? KeystoneAuthenticationHandler.SchemeName : JwtBearerSetup.Scheme;

    public async Task<TokenIdentity> AuthenticateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw Unauthorized("The request you have made requires authentication.");
        }
        var mode = options.Value.Mode;
        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + token;
        var result = await http.AuthenticateAsync(SchemeOf(mode));
        if (result.Failure is KeystoneUnavailableException unavailable)
        {
            throw ApiErrors.Unavailable(unavailable.Message);
        }
        if (!result.Succeeded)
        {
            throw Unauthorized("The token is not valid: " + (result.Failure?.Message.Split('.')[0] ?? "rejected") + ".");
        }
        var (projectClaim, rolesClaim) = mode == AuthMode.Keystone
            ? (KeystoneAuthenticationHandler.ProjectClaim, KeystoneAuthenticationHandler.RolesClaim)
            : (options.Value.Jwt.ProjectClaim, options.Value.Jwt.RolesClaim);
        var principal = result.Principal;
        if (principal.FindFirst(projectClaim)?.Value is not { Length: > 0 } project)
        {
            throw new ZaqarException(403, "Not authorized", mode == AuthMode.Keystone
                ? "The token is not scoped to a project."
                : $"The token names no project (claim \"{projectClaim}\").");
        }
        return new TokenIdentity(project, Roles(principal, rolesClaim), result.Properties?.ExpiresUtc ?? Expiry(principal));
    }

    public static ZaqarException Unauthorized(string description) => new(401, "Unauthorized", description)
    {
        Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" },
    };

    /// <summary>The roles: one claim per role (a JSON array), or one comma- or space-separated claim.</summary>
    private static HashSet<string> Roles(ClaimsPrincipal principal, string rolesClaim) =>
        principal.FindAll(rolesClaim).SelectMany(c => c.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static DateTimeOffset? Expiry(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst("exp")?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
