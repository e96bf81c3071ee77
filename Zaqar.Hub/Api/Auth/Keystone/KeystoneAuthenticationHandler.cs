using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>
/// The "Keystone" authentication scheme (issue 15): the token of X-Auth-Token (or Authorization: Bearer), validated by
/// <see cref="KeystoneTokens"/>, becomes a principal holding the token's project and role names. An unknown token fails
/// the scheme; an unreachable Keystone fails it with <see cref="KeystoneUnavailableException"/> (503 to the caller).
/// </summary>
public sealed class KeystoneAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, KeystoneTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Keystone";
    public const string ProjectClaim = "project_id";
    public const string RolesClaim = "roles";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = Request.Headers["X-Auth-Token"].LastOrDefault();
        if (string.IsNullOrEmpty(token) && Request.Headers[HeaderNames.Authorization].LastOrDefault() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization[7..].Trim();
        }
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }
        KeystoneToken? validated;
        try
        {
            validated = await tokens.ValidateAsync(token, Context.RequestAborted);
        }
        catch (KeystoneUnavailableException ex)
        {
            return AuthenticateResult.Fail(ex);
        }
        if (validated is null)
        {
            return AuthenticateResult.Fail("Keystone does not know it (expired, revoked or malformed).");
        }
        var claims = new List<Claim>();
        if (validated.UserId is not null)
        {
            claims.Add(new Claim("sub", validated.UserId));
        }
        if (validated.ProjectId is not null)
        {
            claims.Add(new Claim(ProjectClaim, validated.ProjectId));
        }
        claims.AddRange(validated.Roles.Select(role => new Claim(RolesClaim, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", RolesClaim));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = validated.ExpiresAt }, SchemeName));
    }
}
