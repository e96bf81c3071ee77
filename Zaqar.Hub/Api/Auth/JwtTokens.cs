using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zaqar.Hub.Api.Auth;

/// <summary>A validated token: whose project, which roles, until when.</summary>
public sealed record TokenIdentity(string ProjectId, IReadOnlySet<string> Roles, DateTimeOffset ExpiresAt);

/// <summary>
/// Validates bearer tokens (JWTs) against the configured signing keys, issuer, audience and lifetime, and reads
/// the project and roles from their claims. A bad token is 401; a token without a project claim is 403.
/// </summary>
/// <remarks>Singleton; thread-safe (the handler and the parameters are immutable once built).</remarks>
public sealed class JwtTokens
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly JwtOptions _options;
    private readonly TokenValidationParameters _parameters;

    public JwtTokens(IOptions<AuthOptions> options, TimeProvider time)
    {
        _options = options.Value.Jwt;
        _parameters = new TokenValidationParameters
        {
            ValidateIssuer = _options.Issuer is not null,
            ValidIssuer = _options.Issuer,
            ValidateAudience = _options.Audience is not null,
            ValidAudience = _options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
            IssuerSigningKeys = _options.SigningKeys.Select(CreateKey).ToList(),
            // The service's clock decides expiry, as it decides every other expiry.
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value <= now + p.ClockSkew) && expires is not null && expires.Value > now - p.ClockSkew;
            },
        };
    }

    public async Task<TokenIdentity> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw Unauthorized("The request you have made requires authentication.");
        }
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            throw Unauthorized("The token is not valid: " + (result.Exception?.Message.Split('.')[0] ?? "rejected") + ".");
        }
        if (!jwt.TryGetPayloadValue<string>(_options.ProjectClaim, out var project) || string.IsNullOrEmpty(project))
        {
            throw new ZaqarException(403, "Not authorized", $"The token names no project (claim \"{_options.ProjectClaim}\").");
        }
        return new TokenIdentity(project, Roles(jwt), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    public static ZaqarException Unauthorized(string description) => new(401, "Unauthorized", description)
    {
        Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" },
    };

    private HashSet<string> Roles(JsonWebToken jwt)
    {
        var roles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (jwt.TryGetPayloadValue<JsonElement>(_options.RolesClaim, out var value))
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                roles.UnionWith(value.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!));
            }
            else if (value.ValueKind == JsonValueKind.String)
            {
                roles.UnionWith(value.GetString()!.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries));
            }
        }
        return roles;
    }

    private static SecurityKey CreateKey(SigningKeyOptions o)
    {
        SecurityKey key;
        if (!string.IsNullOrEmpty(o.SymmetricKey))
        {
            key = new SymmetricSecurityKey(Convert.FromBase64String(o.SymmetricKey));
        }
        else if (!string.IsNullOrEmpty(o.PublicKeyPem) && o.PublicKeyPem.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal) && IsEc(o.PublicKeyPem))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(o.PublicKeyPem);
            key = new ECDsaSecurityKey(ec);
        }
        else if (!string.IsNullOrEmpty(o.PublicKeyPem))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(o.PublicKeyPem);
            key = new RsaSecurityKey(rsa);
        }
        else
        {
            throw new InvalidOperationException("Auth:Jwt:SigningKeys: each key needs SymmetricKey or PublicKeyPem.");
        }
        key.KeyId = o.KeyId;
        return key;
    }

    private static bool IsEc(string pem)
    {
        using var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
