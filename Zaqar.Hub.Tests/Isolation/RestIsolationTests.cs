using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>How the caller of a REST case names its project.</summary>
public enum RestIdentity
{
    /// <summary>No-auth mode: X-Project-ID of A.</summary>
    Header,

    /// <summary>JWT mode: A's token, no X-Project-ID.</summary>
    Token,

    /// <summary>JWT mode: A's token with X-Project-ID of B (refused: 403).</summary>
    TokenNamingB,

    /// <summary>A's pre-signed URL of its shared queue, no token (out of its scope: 404).</summary>
    SignedUrl,

    /// <summary>A's pre-signed URL sent with X-Project-ID of B (the signature does not verify: 404).</summary>
    SignedUrlNamingB,
}

/// <summary>
/// Every case of <see cref="RestMatrix"/> (issue #6), with the project named each way a REST caller can name it. After
/// each, the answer must hold none of B's data that A's request did not name, and B's state must be exactly what it was:
/// as stored, and (in the rows naming A by header) as B's own REST calls read it.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class RestIsolationTests(IsolationWorld world)
{
    public static TheoryData<string, RestIdentity> Rows()
    {
        var rows = new TheoryData<string, RestIdentity>();
        foreach (var c in RestMatrix.All)
        {
            foreach (var identity in Enum.GetValues<RestIdentity>())
            {
                rows.Add(c.Id, identity);
            }
        }
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public async Task ProjectANeverReachesProjectB(string @case, RestIdentity identity)
    {
        var c = RestMatrix.Find(@case);
        var jwt = identity != RestIdentity.Header;
        var host = jwt ? world.Jwt : world.NoAuth;
        var b = jwt ? world.JwtB : world.NoAuthB;
        var refused = identity is RestIdentity.TokenNamingB or RestIdentity.SignedUrlNamingB;
        var signed = identity is RestIdentity.SignedUrl or RestIdentity.SignedUrlNamingB;
        var a = await TenantA.CreateAsync(host, jwt, share: signed, data: !refused && !signed);
        var probe = c.Probe(a, b);
        // A's own resources only matter to a request that gets through (within its pre-signed URL's scope).
        var path = probe.Path.Split('?')[0];
        var authenticated = c.Route.StartsWith("/v2/", StringComparison.Ordinal);
        var outOfScope = identity == RestIdentity.SignedUrl && authenticated && !Scope(a).Allows(probe.Method, path);
        if (identity == RestIdentity.SignedUrl && !outOfScope)
        {
            await a.PopulateAsync();
            probe = c.Probe(a, b);
        }

        var headers = new Dictionary<string, string> { ["Client-ID"] = a.Client.ClientId };
        switch (identity)
        {
            case RestIdentity.Header:
                headers["X-Project-ID"] = a.Project;
                break;
            case RestIdentity.Token:
                headers["Authorization"] = "Bearer " + a.Token;
                break;
            case RestIdentity.TokenNamingB:
                headers["Authorization"] = "Bearer " + a.Token;
                headers["X-Project-ID"] = b.Project;
                break;
            case RestIdentity.SignedUrl or RestIdentity.SignedUrlNamingB:
                foreach (var (name, value) in a.SignedHeaders())
                {
                    headers[name] = value;
                }
                headers["X-Project-ID"] = identity == RestIdentity.SignedUrl ? a.Project : b.Project;
                break;
        }
        foreach (var (name, value) in probe.Headers)
        {
            headers[name] = value;
        }
        var (request, response) = await SendAsync(host, probe, headers);
        Leaks.AssertNone(b, request, Answer(response), c.Id);

        // The routes of the v2 group are authenticated; GET / and paths no route serves are not.
        switch (identity)
        {
            case RestIdentity.TokenNamingB when authenticated:
                Assert.True(response.Status == HttpStatusCode.Forbidden, $"{(int)response.Status}: {response.Text}");
                break;
            case RestIdentity.SignedUrlNamingB when authenticated:
            case RestIdentity.SignedUrl when outOfScope:
                Assert.True(response.Status == HttpStatusCode.NotFound, $"{(int)response.Status}: {response.Text}");
                Assert.True(probe.Method == "HEAD" || response.Text == """{"title":"404 Not Found"}""", response.Text);
                break;
            default:
                await c.Check(new RestCheck(a, b, response));
                break;
        }
        await world.AssertUnchangedAsync(b, c.Id, view: identity == RestIdentity.Header);
    }

    private static SignedScope Scope(TenantA a)
    {
        var signed = a.SignedHeaders();
        return new SignedScope(signed["URL-Methods"].Split(','), signed["URL-Paths"].Split(','));
    }

    private static string Answer(ZaqarClient.Response response) =>
        response.Text + "\n" + string.Join("\n", response.Headers.Select(h => $"{h.Key}: {h.Value}"));

    /// <summary>
    /// Sends the probe with exactly these headers; returns the request as text (to tell echoes from leaks) and the answer.
    /// </summary>
    private static async Task<(string Request, ZaqarClient.Response Response)> SendAsync(
        ZaqarFactory host, RestProbe probe, IReadOnlyDictionary<string, string> headers)
    {
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        var body = probe.Body switch
        {
            null => null,
            string verbatim => verbatim,
            var value => JsonSerializer.Serialize(value),
        };
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(probe.ContentType);
        }
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), name);
        }
        var ct = TestContext.Current.CancellationToken;
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var requestText = $"{probe.Method} {probe.Path}\n{body}\n{string.Join("\n", headers.Select(h => $"{h.Key}: {h.Value}"))}";
        return (requestText, new ZaqarClient.Response(response.StatusCode, text, response.Headers.Location?.OriginalString, all));
    }
}
