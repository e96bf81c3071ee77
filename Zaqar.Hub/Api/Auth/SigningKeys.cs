using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Zaqar.Hub.Api.Auth;

/// <summary>The configured static signing keys (Auth:Jwt:SigningKeys) as IdentityModel's keys.</summary>
internal static class SigningKeys
{
    /// <summary>The key, or null when its PEM holds no RSA or EC public key.</summary>
    public static SecurityKey? TryCreate(SigningKeyOptions o)
    {
        SecurityKey key;
        if (!string.IsNullOrEmpty(o.SymmetricKey))
        {
            key = new SymmetricSecurityKey(Convert.FromBase64String(o.SymmetricKey));
        }
        else if (Import(o.PublicKeyPem, ECDsa.Create()) is { } ec)
        {
            key = new ECDsaSecurityKey(ec);
        }
        else if (Import(o.PublicKeyPem, RSA.Create()) is { } rsa)
        {
            key = new RsaSecurityKey(rsa);
        }
        else
        {
            return null;
        }
        key.KeyId = o.KeyId;
        return key;
    }

    public static SecurityKey Create(SigningKeyOptions o) =>
        TryCreate(o) ?? throw new InvalidOperationException("Auth:Jwt:SigningKeys: a key is neither a base64 SymmetricKey nor a PEM public key.");

    private static T? Import<T>(string? pem, T algorithm) where T : AsymmetricAlgorithm
    {
        if (string.IsNullOrEmpty(pem))
        {
            algorithm.Dispose();
            return null;
        }
        try
        {
            algorithm.ImportFromPem(pem);
            return algorithm;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            algorithm.Dispose();
            return null;
        }
    }
}
