using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Security;

/// <summary>Pre-signed URLs (section 6), with Zaqar's exact signature input.</summary>
public sealed class SignedUrlTests(ZaqarTestServer server) : IAsyncLifetime
{
    private ZaqarFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = server.CreateFactory(Tokens.JwtSettings());
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public void SignatureMatchesZaqarsForTheSameSecretAndInputs()
    {
        // Computed with Python's hmac over Zaqar's input (literal backslash-n separators, sorted lists).
        var signature = SignedUrls.Sign("zaqar-secret",
            ["/v2/queues/shared/claims", "/v2/queues/shared/messages"], ["GET", "POST"], "proj-1", "2030-01-02T03:04:05");
        Assert.Equal("4779d5f4f1f3e8b04b520f2fd8d7d0de5514e0e84027372ee3ced253e8c3d6b3", signature);
    }

    private async Task<JsonNode> ShareAsync(string project, object body)
    {
        using var http = _factory.CreateClient();
        using var client = new ZaqarClient(http, project, Guid.NewGuid().ToString());
        client.Http.DefaultRequestHeaders.Authorization = new("Bearer", Tokens.Issue(project));
        var shared = await client.PostAsync("/v2/queues/shared/share", body);
        Assert.Equal(HttpStatusCode.OK, shared.Status);
        return shared.Json!;
    }

    private async Task<HttpResponseMessage> UseAsync(JsonNode share, HttpMethod method, string path, string? body = null, Action<HttpRequestMessage>? tamper = null)
    {
        using var http = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Client-ID", Guid.NewGuid().ToString());
        request.Headers.Add("X-Project-ID", share["project"]!.GetValue<string>());
        request.Headers.Add("URL-Signature", share["signature"]!.GetValue<string>());
        request.Headers.Add("URL-Expires", share["expires"]!.GetValue<string>());
        request.Headers.Add("URL-Methods", string.Join(",", share["methods"]!.AsArray().Select(m => m!.GetValue<string>())));
        request.Headers.Add("URL-Paths", string.Join(",", share["paths"]!.AsArray().Select(p => p!.GetValue<string>())));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }
        tamper?.Invoke(request);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ShareSignsSortedPathsAndMethodsForTheCallersProject()
    {
        var project = "share-" + Guid.NewGuid().ToString("N")[..8];
        var share = await ShareAsync(project, new { paths = new[] { "messages", "claims" }, methods = new[] { "POST", "GET" }, expires = "2099-01-01T00:00:00" });
        Assert.Equal(["/v2/queues/shared/claims", "/v2/queues/shared/messages"], share["paths"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["GET", "POST"], share["methods"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(project, share["project"]!.GetValue<string>());
        Assert.Equal("2099-01-01T00:00:00", share["expires"]!.GetValue<string>());
        Assert.Equal(SignedUrls.Sign("zaqar-secret", ["/v2/queues/shared/claims", "/v2/queues/shared/messages"], ["GET", "POST"], project, "2099-01-01T00:00:00"),
            share["signature"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASignedRequestNeedsNoTokenAndStaysWithinItsScope()
    {
        var project = "share-" + Guid.NewGuid().ToString("N")[..8];
        var share = await ShareAsync(project, new { methods = new[] { "GET", "POST" } });
        Assert.Equal(HttpStatusCode.Created, (await UseAsync(share, HttpMethod.Post, "/v2/queues/shared/messages", """{"messages":[{"body":"via signed url"}]}""")).StatusCode);
        var listed = await UseAsync(share, HttpMethod.Get, "/v2/queues/shared/messages?echo=true");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains("via signed url", await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await UseAsync(share, HttpMethod.Delete, "/v2/queues/shared/messages?pop=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UseAsync(share, HttpMethod.Get, "/v2/queues/other/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UseAsync(share, HttpMethod.Get, "/v2/queues/shared/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UseAsync(share, HttpMethod.Get, "/v2/queues/shared/messages", tamper: r =>
        {
            r.Headers.Remove("X-Project-ID");
            r.Headers.Add("X-Project-ID", "another-project");
        })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UseAsync(share, HttpMethod.Get, "/v2/queues/shared/messages", tamper: r =>
        {
            r.Headers.Remove("URL-Methods");
            r.Headers.Add("URL-Methods", "DELETE,GET,POST");
        })).StatusCode);
    }

    [Fact]
    public async Task ShareRejectsUnknownKeysBadPathsAndPastExpiry()
    {
        var project = "share-" + Guid.NewGuid().ToString("N")[..8];
        using var http = _factory.CreateClient();
        using var client = new ZaqarClient(http, project, Guid.NewGuid().ToString());
        client.Http.DefaultRequestHeaders.Authorization = new("Bearer", Tokens.Issue(project));
        (await client.PostAsync("/v2/queues/shared/share", new { colour = "red" })).AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Unknown keys");
        (await client.PostAsync("/v2/queues/shared/share", new { paths = new[] { "stats" } })).AssertError(HttpStatusCode.BadRequest, "Invalid API request", "Invalid paths");
        (await client.PostAsync("/v2/queues/shared/share", new { expires = "2001-01-01T00:00:00" })).AssertError(HttpStatusCode.BadRequest, "Invalid API request", "lower than the current time");
        (await client.PostAsync("/v2/queues/shared/share", new { expires = 1234 })).AssertError(HttpStatusCode.BadRequest, "Invalid API request");
    }
}
