using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth;

/// <summary>JWT mode needs keys to check signatures with; each key must be usable. Checked at start.</summary>
public sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (options.Mode != AuthMode.Jwt)
        {
            return ValidateOptionsResult.Success;
        }
        if (options.Jwt.SigningKeys.Count == 0)
        {
            return ValidateOptionsResult.Fail("Auth:Mode is Jwt but Auth:Jwt:SigningKeys is empty: add a SymmetricKey (base64) or a PublicKeyPem.");
        }
        foreach (var key in options.Jwt.SigningKeys)
        {
            if (string.IsNullOrEmpty(key.SymmetricKey) == string.IsNullOrEmpty(key.PublicKeyPem))
            {
                return ValidateOptionsResult.Fail("Auth:Jwt:SigningKeys: each key needs exactly one of SymmetricKey or PublicKeyPem.");
            }
            if (key.SymmetricKey is { } symmetric && (!IsBase64(symmetric, out var length) || length < 32))
            {
                return ValidateOptionsResult.Fail("Auth:Jwt:SigningKeys: SymmetricKey must be base64 of at least 32 bytes.");
            }
        }
        return ValidateOptionsResult.Success;
    }

    private static bool IsBase64(string text, out int length)
    {
        var buffer = new byte[text.Length];
        var ok = Convert.TryFromBase64String(text, buffer, out length);
        return ok;
    }
}
