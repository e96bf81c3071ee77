using System.Net;
using System.Net.Http.Headers;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Security;

/// <summary>Production authentication (issue #6): bearer JWTs, project and roles from claims.</summary>
public sealed class JwtAuthTests(ZaqarTestServer server) : IAsyncLifetime
{
    private ZaqarFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = server.CreateFactory(Tokens.JwtSettings());
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? project = null, string? body = null)
    {
        using var http = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Client-ID", Guid.NewGuid().ToString());
        if (project is not null)
        {
            request.Headers.Add("X-Project-ID", project);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RequestsWithoutAValidTokenAre401WithZaqarsErrorBody()
    {
        var none = await SendAsync(HttpMethod.Get, "/v2/queues", token: null, project: "p");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"title\":\"Unauthorized\"", await none.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var forged = Tokens.Issue("p", key: Convert.ToBase64String(new byte[32]));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2/queues", forged)).StatusCode);
        var expired = Tokens.Issue("p", now: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2/queues", expired)).StatusCode);
        var otherIssuer = Tokens.Issue("p", issuer: "https://elsewhere.test");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v2/queues", otherIssuer)).StatusCode);
    }

    [Fact]
    public async Task TheTokensProjectScopesTheRequestAndXProjectIdMayOnlyConfirmIt()
    {
        var project = "jwt-" + Guid.NewGuid().ToString("N")[..8];
        var token = Tokens.Issue(project);
        var posted = await SendAsync(HttpMethod.Post, "/v2/queues/q/messages", token, project: null, body: """{"messages":[{"body":"mine"}]}""");
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var listed = await SendAsync(HttpMethod.Get, "/v2/queues", token, project);
        Assert.Contains("\"name\":\"q\"", await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var mismatch = await SendAsync(HttpMethod.Get, "/v2/queues", token, project: "someone-else");
        Assert.Equal(HttpStatusCode.Forbidden, mismatch.StatusCode);
    }

    [Fact]
    public async Task AdminRoutesNeedTheAdminRoleClaim()
    {
        var project = "jwt-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/v2/health", Tokens.Issue(project))).StatusCode);
        // X-Roles means nothing once tokens are in use.
        using var http = _factory.CreateClient();
        using var spoof = new HttpRequestMessage(HttpMethod.Get, "/v2/health");
        spoof.Headers.Add("Client-ID", Guid.NewGuid().ToString());
        spoof.Headers.Add("X-Roles", "admin");
        spoof.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue(project));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(spoof, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/v2/health", Tokens.Issue(project, ["admin"]))).StatusCode);
    }

    [Fact]
    public async Task KeystonesXAuthTokenHeaderIsAcceptedToo()
    {
        using var http = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/queues");
        request.Headers.Add("Client-ID", Guid.NewGuid().ToString());
        request.Headers.Add("X-Auth-Token", Tokens.Issue("p-" + Guid.NewGuid().ToString("N")[..6]));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
    }
}
