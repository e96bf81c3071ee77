using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Zaqar.Hub.Api.Auth;

/// <summary>
/// Auth:Jwt as ASP.NET Core's JwtBearer scheme (issue 15): static keys (with "kid" matching), and/or an issuer's OpenID
/// discovery document and JWKS, which the library's ConfigurationManager fetches, caches and refetches when a token
/// names a key it does not know (key rotation). Expiry is judged by the service's clock, as every other expiry.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> auth, TimeProvider time) : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == Scheme)
        {
            Configure(options);
        }
    }

    public void Configure(JwtBearerOptions options)
    {
        var jwt = auth.Value.Jwt;
        options.MapInboundClaims = false;
        options.TimeProvider = time;
        options.Authority = NullIfEmpty(jwt.Authority);
        options.MetadataAddress = NullIfEmpty(jwt.MetadataAddress) ?? "";
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        options.RefreshInterval = TimeSpan.FromSeconds(jwt.RefreshIntervalSeconds);
        options.TokenValidationParameters = new TokenValidationParameters
        {
            // With discovery and no Issuer set, the issuer the discovery document names is the one expected.
            ValidateIssuer = jwt.Issuer is not null || options.Authority is not null || options.MetadataAddress.Length > 0,
            ValidIssuer = jwt.Issuer,
            ValidateAudience = jwt.Audience is not null,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            IssuerSigningKeys = jwt.SigningKeys.Select(SigningKeys.Create).ToList(),
            NameClaimType = "sub",
            RoleClaimType = jwt.RolesClaim,
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value <= now + p.ClockSkew) && expires is not null && expires.Value > now - p.ClockSkew;
            },
        };
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}

/// <summary>
/// Runs after JwtBearer built its ConfigurationManager: a key the issuer no longer publishes is refused as soon as the
/// keys are refetched (issue 15), instead of staying good for IdentityModel's "last known good" hour.
/// </summary>
internal sealed class JwtBearerKeyRetirement : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        if (options.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }
}
