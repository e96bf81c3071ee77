using System.Net;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>Pre-signed URLs (zaqar-v2-api.md section 6): the signature, and REST's 404 for every failed check.</summary>
public sealed class SignedUrlTests(ZaqarTestServer server)
{
    private const string Secret = "test-secret";

    private static SignedUrls Signer(string? secret = Secret, TimeProvider? clock = null) =>
        new(Options.Create(new SignedUrlOptions { SecretKey = secret }), clock ?? TimeProvider.System);

    [Fact]
    public void TheSignatureIsZaqarsHmacOverPathsMethodsProjectAndExpiresJoinedByBackslashN()
    {
        // Reference values from Python's hmac over r'...\n...' (backslash and n, not a newline).
        var one = Signer().Create(["/v2/queues/orders/subscriptions/0196a1b2-0000-7000-8000-000000000001/confirm"], ["PUT"], "demo",
            new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        var sorted = Signer("k").Create(["/v2/queues/b/messages", "/v2/queues/a/messages"], ["POST", "GET"], "p1",
            new DateTime(2031, 12, 31, 23, 59, 59, 900, DateTimeKind.Utc));

        Assert.Equal("eb2a9584c829eebc6749d4b1a6f7324a2b04b295c6269b045a90b46ec0887ea1", one.Signature);
        Assert.Equal("2030-01-02T03:04:05", one.Expires);
        Assert.Equal("951ec4db8898055017ea536e098a344e8ef41df897368a7555c70700c7a56f58", sorted.Signature);
        Assert.Equal(["/v2/queues/a/messages", "/v2/queues/b/messages"], sorted.Paths);
        Assert.Equal(["GET", "POST"], sorted.Methods);
    }

    /// <summary>Whether the URL-* headers verify for this request (the signer answers 404 otherwise).</summary>
    private static bool Verifies(SignedUrls signer, string method, string path, string project, string expires, string methods, string paths, string signature)
    {
        try
        {
            signer.Verify(new SignedHeaders(signature, expires, methods, paths), project, method, path);
            return true;
        }
        catch (ZaqarException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    [Fact]
    public void VerificationChecksMethodPathExpiryProjectAndKey()
    {
        var clock = new ManualClock();
        var signer = Signer(clock: clock);
        var grant = signer.Create(["/v2/queues/q/subscriptions/x/confirm"], ["PUT"], "p", clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        bool Verify(string method = "PUT", string path = "/v2/queues/q/subscriptions/x/confirm", string project = "p", SignedUrls? with = null) =>
            Verifies(with ?? signer, method, path, project, grant.Expires, "PUT", grant.Paths[0], grant.Signature);

        Assert.True(Verify());
        Assert.False(Verify(method: "DELETE"));
        Assert.False(Verify(path: "/v2/queues/other/subscriptions/y/confirm"));
        Assert.False(Verify(project: "someone-else"));
        Assert.False(Verify(with: Signer("another-key", clock)));
        Assert.False(Verify(with: Signer(null, clock)));
        Assert.False(Verifies(signer, "PUT", grant.Paths[0], "p", "1893456000", "PUT", grant.Paths[0], grant.Signature));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False(Verify());
    }

    [Fact]
    public async Task ARestRequestWithAFailingSignatureIsABare404()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = Secret });
        var headers = RestTestHelpers.ValidHeaders();
        var grant = Signer().Create(["/v2/queues/q/messages"], ["GET"], headers["X-Project-ID"], DateTime.UtcNow.AddHours(1));
        headers["URL-Methods"] = "GET";
        headers["URL-Paths"] = "/v2/queues/q/messages";
        headers["URL-Expires"] = grant.Expires;

        headers["URL-Signature"] = grant.Signature;
        Assert.Equal(HttpStatusCode.OK, (await factory.RawAsync(HttpMethod.Get, "/v2/queues/q/messages", headers)).Status);
        var other = await factory.RawAsync(HttpMethod.Get, "/v2/queues/other/messages", headers);
        Assert.Equal(HttpStatusCode.NotFound, other.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", other.Text);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.RawAsync(HttpMethod.Delete, "/v2/queues/q/messages?ids=x", headers)).Status);
        headers["URL-Signature"] = new string('0', 64);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.RawAsync(HttpMethod.Get, "/v2/queues/q/messages", headers)).Status);
    }
}
