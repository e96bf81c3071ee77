using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>
/// Validates callers' tokens with Keystone v3 (GET /v3/auth/tokens, X-Subject-Token, with the service's own token) and
/// caches each valid result for Auth:Keystone:CacheSeconds, never past the token's expiry (issue 15): a revoked token
/// is refused at the latest once its cached entry ends. Only valid tokens are cached, keyed by their SHA-256.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class KeystoneTokens(
    IHttpClientFactory clients, KeystoneServiceToken service, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeystoneTokens> logger)
    : IDisposable
{
    private const int MaxTokenLength = 8192;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.Keystone.CacheEntries });

    /// <summary>The token's identity; null when Keystone does not know it (malformed, expired or revoked).</summary>
    /// <exception cref="KeystoneUnavailableException">Keystone could not decide.</exception>
    public async Task<KeystoneToken?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        // Keystone's tokens are printable ASCII (Fernet: URL-safe base64); anything else can't be one, nor go in a header.
        if (token.Length > MaxTokenLength || token.Any(c => c is <= ' ' or > '~'))
        {
            return null;
        }
        var key = Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        if (_cache.TryGetValue(key, out KeystoneToken? cached) && cached!.ExpiresAt > time.GetUtcNow())
        {
            return cached;
        }
        var validated = await AskKeystoneAsync(token, cancellationToken);
        var now = time.GetUtcNow();
        if (validated is null || validated.ExpiresAt <= now)
        {
            return null;
        }
        var keep = TimeSpan.FromSeconds(options.Value.Keystone.CacheSeconds);
        if (validated.ExpiresAt - now < keep)
        {
            keep = validated.ExpiresAt - now;
        }
        if (keep > TimeSpan.Zero)
        {
            _cache.Set(key, validated, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = keep, Size = 1 });
        }
        return validated;
    }

    public void Dispose() => _cache.Dispose();

    private async Task<KeystoneToken?> AskKeystoneAsync(string token, CancellationToken cancellationToken)
    {
        string? rejected = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var serviceToken = await service.GetAsync(rejected, cancellationToken);
            var request = new HttpRequestMessage(HttpMethod.Get, KeystoneCall.Validation(options.Value.Keystone));
            request.Headers.Add("X-Auth-Token", serviceToken);
            request.Headers.Add("X-Subject-Token", token);
            using var response = await KeystoneCall.SendAsync(clients, logger, request, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return await KeystoneCall.ReadTokenAsync(response, cancellationToken);
                case HttpStatusCode.NotFound or HttpStatusCode.BadRequest:
                    return null;
                case HttpStatusCode.Unauthorized when attempt == 0:
                    // The service's own token expired or was revoked: renew it once.
                    rejected = serviceToken;
                    continue;
                default:
                    KeystoneLog.ValidationRefused(logger, (int)response.StatusCode);
                    throw new KeystoneUnavailableException("The identity service (Keystone) refused to validate the token for this service.");
            }
        }
        throw new KeystoneUnavailableException("Keystone keeps refusing the service's own token.");
    }
}
