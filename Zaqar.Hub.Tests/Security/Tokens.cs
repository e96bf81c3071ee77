using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zaqar.Hub.Tests.Security;

/// <summary>Issues test JWTs signed with a known symmetric key (the service is configured with the same key).</summary>
internal static class Tokens
{
    public const string Key = "dGhpcy1pcy1hLXRlc3Qta2V5LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"; // "this-is-a-test-key-of-at-least-32-bytes"
    public const string Issuer = "https://issuer.test";
    public const string Audience = "zaqarhub";

    public static IReadOnlyDictionary<string, string?> JwtSettings(string? prefix = null) => new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Jwt",
        ["Auth:Jwt:Issuer"] = Issuer,
        ["Auth:Jwt:Audience"] = Audience,
        ["Auth:Jwt:SigningKeys:0:SymmetricKey"] = Key,
        ["SignedUrl:SecretKey"] = "zaqar-secret",
    };

    public static string Issue(string project, string[]? roles = null, DateTime? expires = null, string key = Key, string issuer = Issuer, DateTime? now = null)
    {
        var claims = new Dictionary<string, object> { ["project_id"] = project, ["sub"] = "user-" + project };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }
        var issuedAt = now ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt.AddMinutes(-1),
            Expires = expires ?? issuedAt.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
