using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>What Keystone says a token is: the user, the project it is scoped to (null when unscoped), role names, expiry.</summary>
public sealed record KeystoneToken(string? UserId, string? ProjectId, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt);

/// <summary>One HTTP call to Keystone v3 through the named client (timeout bounded), and the token body it answers.</summary>
internal static class KeystoneCall
{
    public const string ClientName = "keystone";

    public static Uri Tokens(KeystoneOptions keystone) => new(new Uri(keystone.Url!.AbsoluteUri.TrimEnd('/') + "/"), "auth/tokens");

    /// <summary>Validation needs no service catalog.</summary>
    public static Uri Validation(KeystoneOptions keystone) => new(Tokens(keystone) + "?nocatalog");

    /// <summary>Sends; a network failure or timeout, or a 5xx, is <see cref="KeystoneUnavailableException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(IHttpClientFactory clients, ILogger logger, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                KeystoneLog.Unreachable(logger, ex);
                throw new KeystoneUnavailableException("The identity service (Keystone) could not be reached.", ex);
            }
            if ((int)response.StatusCode >= 500)
            {
                response.Dispose();
                throw new KeystoneUnavailableException($"The identity service (Keystone) failed (HTTP {(int)response.StatusCode}).");
            }
            return response;
        }
    }

    /// <summary>The "token" object of a v3 token response; null when it has no parseable expiry.</summary>
    public static async Task<KeystoneToken?> ReadTokenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        if (!document.RootElement.TryGetProperty("token", out var token)
            || !token.TryGetProperty("expires_at", out var expires)
            || !DateTimeOffset.TryParse(expires.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            return null;
        }
        var roles = token.TryGetProperty("roles", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(r => r.TryGetProperty("name", out var n) ? n.GetString() : null).OfType<string>().ToList()
            : [];
        return new KeystoneToken(Id(token, "user"), Id(token, "project"), roles, expiresAt);
    }

    private static string? Id(JsonElement token, string property) =>
        token.TryGetProperty(property, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty("id", out var id) ? id.GetString() : null;
}
