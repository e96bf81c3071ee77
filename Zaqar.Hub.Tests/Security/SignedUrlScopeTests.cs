using System.Net;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Security;

/// <summary>
/// Issue 10, item 1: a pre-signed URL's headers are authenticated before anything else is done with them, and a signed
/// path is a literal path (it and what lies under it), never a pattern.
/// </summary>
public sealed class SignedUrlScopeTests(ZaqarTestServer server)
{
    private const string Secret = "scope-secret";

    /// <summary>The catastrophic-backtracking pattern of the report, 60 times, and a path that makes it backtrack.</summary>
    private static readonly string AttackPaths = string.Join(",", Enumerable.Repeat("(a+)+$", 60));
    private const string AttackPath = "/v2/queues/q/messages/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";

    private static SignedUrls Signer() => new(Options.Create(new SignedUrlOptions { SecretKey = Secret }), TimeProvider.System);

    private static string Expires() => DateTime.UtcNow.AddHours(1).ToString(SignedUrls.DateFormat, System.Globalization.CultureInfo.InvariantCulture);

    private static bool Allowed(SignedUrls signer, SignedHeaders headers, string project, string? method, string? path)
    {
        try
        {
            signer.Verify(headers, project, method, path);
            return true;
        }
        catch (ZaqarException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    [Fact]
    public void AForgedSignatureIsRefusedWhateverItsPathsMethodAndRequestPath()
    {
        var signer = Signer();
        var forged = new SignedHeaders(new string('0', 64), Expires(), "GET", AttackPaths);
        var forgedLiteral = forged with { Paths = "/v2/queues/q/messages" };

        // The outcome of a forged header set never depends on the request or on what the paths would allow.
        Assert.False(Allowed(signer, forged, "p", "GET", AttackPath));
        Assert.False(Allowed(signer, forged, "p", null, null));
        Assert.False(Allowed(signer, forgedLiteral, "p", "GET", "/v2/queues/q/messages"));
        Assert.Throws<ZaqarException>(() => signer.Verify(forged, "p"));
    }

    [Fact]
    public void ASignedPathIsLiteralAndAllowsItselfAndWhatLiesUnderIt()
    {
        var signer = Signer();
        var grant = signer.Create(["/v2/queues/s.q/messages"], ["GET"], "p", DateTime.UtcNow.AddHours(1));
        var headers = new SignedHeaders(grant.Signature, grant.Expires, "GET", grant.Paths[0]);
        bool Get(string path) => Allowed(signer, headers, "p", "GET", path);

        Assert.True(Get("/v2/queues/s.q/messages"));
        Assert.True(Get("/v2/queues/s.q/messages/0196a1b2-0000-7000-8000-000000000001"));
        Assert.True(Get("/v2/queues/s.q/messages/"));
        Assert.False(Get("/v2/queues/sxq/messages"));
        Assert.False(Get("/v2/queues/s.q/messages2"));
        Assert.False(Get("/v2/queues/s.q"));
        Assert.False(Get("/v2/queues/s.q/claims"));
        Assert.False(Get("/V2/QUEUES/s.q/messages"));
        Assert.False(Allowed(signer, headers, "p", "get", "/v2/queues/s.q/messages"));
    }

    [Fact]
    public void SignedPatternsMatchOnlyTheirOwnLiteralText()
    {
        var signer = Signer();
        var paths = Enumerable.Repeat("(a+)+$", SignedUrls.MaxEntries - 2).Append("/v2/queues/.*").Append("");
        var patterns = signer.Create(paths, ["GET"], "p", DateTime.UtcNow.AddHours(1));
        var headers = new SignedHeaders(patterns.Signature, patterns.Expires, "GET", string.Join(",", patterns.Paths));

        Assert.False(Allowed(signer, headers, "p", "GET", AttackPath));
        Assert.False(Allowed(signer, headers, "p", "GET", "/v2/queues/q/messages"));
        Assert.False(Allowed(signer, headers, "p", "GET", "/"));
        // Signed, so the connection-level check (no request path yet) passes: the scope then allows nothing above.
        Assert.True(Allowed(signer, headers, "p", null, null));
    }

    [Fact]
    public void AGrantWithMorePathsThanAnyZaqarSignsOrOversizedHeadersIsRefused()
    {
        var signer = Signer();
        var many = signer.Create(Enumerable.Range(0, SignedUrls.MaxEntries + 1).Select(i => $"/v2/queues/q{i}/messages"), ["GET"], "p", DateTime.UtcNow.AddHours(1));
        var manyHeaders = new SignedHeaders(many.Signature, many.Expires, "GET", string.Join(",", many.Paths));
        var one = signer.Create(["/v2/queues/q/messages"], ["GET"], "p", DateTime.UtcNow.AddHours(1));
        var oneHeaders = new SignedHeaders(one.Signature, one.Expires, "GET", one.Paths[0]);

        Assert.False(Allowed(signer, manyHeaders, "p", "GET", "/v2/queues/q0/messages"));
        Assert.True(Allowed(signer, oneHeaders, "p", "GET", "/v2/queues/q/messages"));
        Assert.False(Allowed(signer, oneHeaders with { Signature = one.Signature + new string('0', 200) }, "p", "GET", "/v2/queues/q/messages"));
        Assert.False(Allowed(signer, oneHeaders with { Expires = one.Expires + new string(' ', 100) }, "p", "GET", "/v2/queues/q/messages"));
    }

    [Fact]
    public async Task TheBacktrackingAttackWithAFakeSignatureIsABare404OverRest()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = Secret });
        var headers = RestTestHelpers.ValidHeaders();
        headers["URL-Signature"] = new string('0', 64);
        headers["URL-Expires"] = Expires();
        headers["URL-Methods"] = "GET";
        headers["URL-Paths"] = AttackPaths;

        var response = await factory.RawAsync(HttpMethod.Get, AttackPath, headers);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", response.Text);
    }

    [Fact]
    public async Task AGrantForQueueSDotQReadsSDotQAndNotSxq()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = Secret });
        using var owner = factory.NewProject();
        await owner.PostMessagesAsync("s.q", "for s.q");
        await owner.PostMessagesAsync("sxq", "for sxq");
        var grant = Signer().Create(["/v2/queues/s.q/messages"], ["GET"], owner.Project, DateTime.UtcNow.AddHours(1));
        var headers = RestTestHelpers.ValidHeaders();
        headers["X-Project-ID"] = owner.Project;
        headers["URL-Signature"] = grant.Signature;
        headers["URL-Expires"] = grant.Expires;
        headers["URL-Methods"] = "GET";
        headers["URL-Paths"] = grant.Paths[0];

        var own = await factory.RawAsync(HttpMethod.Get, "/v2/queues/s.q/messages?echo=true", headers);
        var other = await factory.RawAsync(HttpMethod.Get, "/v2/queues/sxq/messages?echo=true", headers);

        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Contains("for s.q", own.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, other.Status);
        Assert.DoesNotContain("for sxq", other.Text, StringComparison.Ordinal);
    }
}
