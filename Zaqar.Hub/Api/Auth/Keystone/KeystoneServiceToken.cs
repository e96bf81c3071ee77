using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>
/// The service's own Keystone token, which validating callers' tokens requires (issue 15): obtained with the configured
/// user, password and project, kept, and renewed before it expires or as soon as Keystone rejects it.
/// </summary>
/// <remarks>Singleton; thread-safe (one renewal at a time).</remarks>
public sealed class KeystoneServiceToken(
    IHttpClientFactory clients, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeystoneServiceToken> logger) : IDisposable
{
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile Issued? _current;

    private sealed record Issued(string Token, DateTimeOffset RenewAt);

    /// <summary>A token to validate with; a new one when <paramref name="rejected"/> is the one held.</summary>
    public async Task<string> GetAsync(string? rejected, CancellationToken cancellationToken)
    {
        if (Usable(_current, rejected) is { } token)
        {
            return token;
        }
        await _renewal.WaitAsync(cancellationToken);
        try
        {
            if (Usable(_current, rejected) is { } renewed)
            {
                return renewed;
            }
            var issued = await IssueAsync(cancellationToken);
            _current = issued;
            return issued.Token;
        }
        finally
        {
            _renewal.Release();
        }
    }

    public void Dispose() => _renewal.Dispose();

    private string? Usable(Issued? issued, string? rejected) =>
        issued is not null && issued.Token != rejected && time.GetUtcNow() < issued.RenewAt ? issued.Token : null;

    private async Task<Issued> IssueAsync(CancellationToken cancellationToken)
    {
        var keystone = options.Value.Keystone;
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject
                        {
                            ["name"] = keystone.Username,
                            ["domain"] = new JsonObject { ["name"] = keystone.UserDomain },
                            ["password"] = keystone.Password,
                        },
                    },
                },
                ["scope"] = new JsonObject
                {
                    ["project"] = new JsonObject { ["name"] = keystone.Project, ["domain"] = new JsonObject { ["name"] = keystone.ProjectDomain } },
                },
            },
        };
        using var response = await KeystoneCall.SendAsync(clients, logger, new HttpRequestMessage(HttpMethod.Post, KeystoneCall.Tokens(keystone))
        {
            // With a Content-Length (a JsonContent would be chunked, which some WSGI servers in front of Keystone don't read).
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created || !response.Headers.TryGetValues("X-Subject-Token", out var values))
        {
            KeystoneLog.ServiceCredentialsRefused(logger, (int)response.StatusCode);
            throw new KeystoneUnavailableException("Keystone refused the service's own credentials.");
        }
        var token = (await KeystoneCall.ReadTokenAsync(response, cancellationToken))
            ?? throw new KeystoneUnavailableException("Keystone answered the service's login with no token.");
        KeystoneLog.ServiceTokenIssued(logger, token.ExpiresAt);
        // Renewed ahead of its expiry: halfway through its life, at most five minutes before the end.
        var life = token.ExpiresAt - time.GetUtcNow();
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, Math.Max(life.Ticks, 0) / 2));
        return new Issued(values.First(), token.ExpiresAt - margin);
    }
}
