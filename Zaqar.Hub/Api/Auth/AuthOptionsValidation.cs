using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth;

/// <summary>Token modes need what they check tokens with; each key must be usable. Checked at start.</summary>
public sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) => options.Mode switch
    {
        AuthMode.Jwt => ValidateJwt(options.Jwt),
        AuthMode.Keystone => ValidateKeystone(options.Keystone),
        _ => ValidateOptionsResult.Success,
    };

    private static ValidateOptionsResult ValidateJwt(JwtOptions jwt)
    {
        var discovery = !string.IsNullOrEmpty(jwt.Authority) || !string.IsNullOrEmpty(jwt.MetadataAddress);
        if (jwt.SigningKeys.Count == 0 && !discovery)
        {
            return ValidateOptionsResult.Fail(
                "Auth:Mode is Jwt but neither Auth:Jwt:SigningKeys nor Auth:Jwt:Authority (or Auth:Jwt:MetadataAddress) is set: "
                + "add a SymmetricKey (base64) or a PublicKeyPem, or name the token issuer whose published keys to use.");
        }
        foreach (var key in jwt.SigningKeys)
        {
            if (string.IsNullOrEmpty(key.SymmetricKey) == string.IsNullOrEmpty(key.PublicKeyPem))
            {
                return ValidateOptionsResult.Fail("Auth:Jwt:SigningKeys: each key needs exactly one of SymmetricKey or PublicKeyPem.");
            }
            if (key.SymmetricKey is { } symmetric && (!IsBase64(symmetric, out var length) || length < 32))
            {
                return ValidateOptionsResult.Fail("Auth:Jwt:SigningKeys: SymmetricKey must be base64 of at least 32 bytes.");
            }
            if (key.PublicKeyPem is { } pem && SigningKeys.TryCreate(key) is null)
            {
                return ValidateOptionsResult.Fail($"Auth:Jwt:SigningKeys: the PublicKeyPem{(key.KeyId is null ? "" : $" of \"{key.KeyId}\"")} is not an RSA or EC public key in PEM.");
            }
        }
        foreach (var (setting, address) in new[] { ("Authority", jwt.Authority), ("MetadataAddress", jwt.MetadataAddress) })
        {
            if (!string.IsNullOrEmpty(address)
                && (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && (jwt.RequireHttpsMetadata || uri.Scheme != Uri.UriSchemeHttp))))
            {
                return ValidateOptionsResult.Fail($"Auth:Jwt:{setting} must be an absolute https URL (http only with Auth:Jwt:RequireHttpsMetadata=false).");
            }
        }
        return ValidateOptionsResult.Success;
    }

    private static ValidateOptionsResult ValidateKeystone(KeystoneOptions keystone)
    {
        var missing = new[] { ("Url", keystone.Url?.ToString()), ("Username", keystone.Username), ("Password", keystone.Password), ("Project", keystone.Project) }
            .Where(s => string.IsNullOrEmpty(s.Item2)).Select(s => "Auth:Keystone:" + s.Item1).ToList();
        if (missing.Count > 0)
        {
            return ValidateOptionsResult.Fail($"Auth:Mode is Keystone but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set.");
        }
        if (keystone.Url is { IsAbsoluteUri: false } || keystone.Url!.Scheme is not ("http" or "https"))
        {
            return ValidateOptionsResult.Fail("Auth:Keystone:Url must be Keystone's absolute http(s) v3 URL, e.g. http://keystone:5000/v3.");
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
