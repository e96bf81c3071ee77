using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>
/// An OpenID Connect token issuer on a loopback port (issue 15): its discovery document and its JWKS, served by Kestrel,
/// and RS256 tokens signed with its current key. <see cref="Rotate"/> replaces the published key with a new one (new kid).
/// </summary>
public sealed class TokenIssuer : IAsyncDisposable
{
    public const string Audience = "zaqarhub";

    private readonly WebApplication _app;
    private volatile SigningKey _current = NewKey();
    private int _discoveries;

    private TokenIssuer(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port, the "iss" of its tokens and the Authority the service is given.</summary>
    public string Authority { get; private set; } = string.Empty;

    /// <summary>How many times the discovery document was fetched.</summary>
    public int Discoveries => Volatile.Read(ref _discoveries);

    public static async Task<TokenIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var issuer = new TokenIssuer(app);
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref issuer._discoveries);
            return Results.Text(new JsonObject { ["issuer"] = issuer.Authority, ["jwks_uri"] = issuer.Authority + "/jwks" }.ToJsonString(), "application/json");
        });
        app.MapGet("/jwks", () => Results.Text(issuer.Jwks().ToJsonString(), "application/json"));
        await app.StartAsync(TestContext.Current.CancellationToken);
        issuer.Authority = app.Urls.Single().TrimEnd('/');
        return issuer;
    }

    /// <summary>Publishes a new key in place of the current one; tokens are signed with it from now on.</summary>
    public void Rotate() => _current = NewKey();

    private sealed record SigningKey(RSA Rsa, string KeyId);

    /// <summary>A token for <paramref name="project"/>, signed with the current key, or with a key never published.</summary>
    public string Issue(string project, bool unpublishedKey = false)
    {
        var (rsa, keyId) = unpublishedKey ? NewKey() : _current;
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["project_id"] = project, ["sub"] = "user-" + project },
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private JsonObject Jwks()
    {
        var (rsa, keyId) = _current;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = keyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            }),
        };
    }

    private static SigningKey NewKey() => new(RSA.Create(2048), "key-" + Guid.NewGuid().ToString("N")[..8]);
}
