using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Api.Auth;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>Zaqar's development mode: X-Project-ID is trusted, and X-Roles: admin grants admin routes.</summary>
    NoAuth,

    /// <summary>Bearer tokens (JWTs) validated against configured signing keys; project and roles come from claims.</summary>
    Jwt,
}

/// <summary>Authentication settings, bound from the "Auth" section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.NoAuth;

    public JwtOptions Jwt { get; set; } = new();
}

public sealed class JwtOptions
{
    /// <summary>Expected "iss"; null accepts any issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected "aud"; null accepts any audience.</summary>
    public string? Audience { get; set; }

    /// <summary>The keys tokens may be signed with.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

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
