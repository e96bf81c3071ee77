using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Api.Auth;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>Zaqar's development mode: X-Project-ID is trusted, and X-Roles: admin grants admin routes.</summary>
    NoAuth,

    /// <summary>Bearer tokens (JWTs) checked by ASP.NET Core's JwtBearer scheme; project and roles come from claims.</summary>
    Jwt,

    /// <summary>OpenStack Keystone tokens (X-Auth-Token) validated against Keystone v3 (issue 15).</summary>
    Keystone,
}

/// <summary>Authentication settings, bound from the "Auth" section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.NoAuth;

    public JwtOptions Jwt { get; set; } = new();

    public KeystoneOptions Keystone { get; set; } = new();

    /// <summary>True when callers must bring a token (every mode but NoAuth).</summary>
    public bool TokensRequired => Mode != AuthMode.NoAuth;
}

public sealed class JwtOptions
{
    /// <summary>Expected "iss"; null accepts any issuer (or, with Authority/MetadataAddress, the issuer the discovery document names).</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected "aud"; null accepts any audience.</summary>
    public string? Audience { get; set; }

    /// <summary>The keys tokens may be signed with (static keys; may be combined with an issuer's published keys).</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>An OpenID Connect issuer: its keys come from {Authority}/.well-known/openid-configuration and its JWKS.</summary>
    public string? Authority { get; set; }

    /// <summary>The discovery document's address, when it is not under the Authority.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Refuse discovery over plain HTTP (turn off only for an issuer on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The least time between two fetches of the discovery document caused by an unknown "kid" (key rotation).</summary>
    [Range(1, 86400)] public int RefreshIntervalSeconds { get; set; } = 300;

    /// <summary>The claim holding the caller's project id.</summary>
    [Required] public string ProjectClaim { get; set; } = "project_id";

    /// <summary>The claim holding the caller's roles (a JSON array, or a comma- or space-separated string).</summary>
    [Required] public string RolesClaim { get; set; } = "roles";

    [Range(0, 3600)] public int ClockSkewSeconds { get; set; } = 30;
}

/// <summary>One signing key: a shared secret (HMAC, base64) or a public key (RSA or EC, PEM).</summary>
public sealed class SigningKeyOptions
{
    /// <summary>Matched against the token's "kid" when both are set.</summary>
    public string? KeyId { get; set; }

    /// <summary>A symmetric key for HS256/384/512, base64-encoded (at least 32 bytes).</summary>
    public string? SymmetricKey { get; set; }

    /// <summary>A public key in PEM ("-----BEGIN PUBLIC KEY-----"), for RS*/PS*/ES* tokens.</summary>
    public string? PublicKeyPem { get; set; }
}

/// <summary>
/// Keystone v3 (issue 15): the service validates callers' tokens with its own credentials (a service user, usually
/// holding the "service" or "admin" role), and caches each result for a bounded time.
/// </summary>
public sealed class KeystoneOptions
{
    /// <summary>Keystone's v3 endpoint, e.g. http://keystone:5000/v3.</summary>
    public Uri? Url { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required] public string UserDomain { get; set; } = "Default";

    /// <summary>The project the service's own token is scoped to (e.g. "service").</summary>
    public string? Project { get; set; }

    [Required] public string ProjectDomain { get; set; } = "Default";

    /// <summary>How long a validated token is trusted without asking Keystone again (never past its expiry); 0 asks every time.</summary>
    [Range(0, 3600)] public int CacheSeconds { get; set; } = 60;

    /// <summary>The most cached tokens kept at once.</summary>
    [Range(1, 10_000_000)] public int CacheEntries { get; set; } = 100_000;

    /// <summary>How long one call to Keystone may take before the request is answered 503.</summary>
    [Range(1, 120)] public int TimeoutSeconds { get; set; } = 10;
}
