using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>How A's hub connection names its project.</summary>
public enum HubIdentityKind
{
    /// <summary>No-auth mode: <c>project_id</c> of A in the query string, as browsers send it.</summary>
    Query,

    /// <summary>No-auth mode: X-Project-ID of A in the headers and <c>project_id</c> of B in the query: the header wins.</summary>
    HeaderOverQueryOfB,

    /// <summary>JWT mode: A's token as <c>access_token</c>, no project id.</summary>
    Token,

    /// <summary>A's pre-signed URL of its shared queue in the query string: methods outside it are refused (404).</summary>
    SignedUrl,
}

/// <summary>
/// Every case of <see cref="HubMatrix"/> (issue #6) over JSON and MessagePack, with A's connection naming its project
/// each way a hub connection can. After each: no answer to A and nothing pushed to A holds B's data that A did not
/// send, and B's state is exactly what it was.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class HubIsolationTests(IsolationWorld world)
{
    public static TheoryData<string, HubWireProtocol, HubIdentityKind> Rows()
    {
        var rows = new TheoryData<string, HubWireProtocol, HubIdentityKind>();
        // Both protocols with the query string (browsers' way); each other way of naming the project with one of them
        // (the protocol only changes the framing, not who the caller is), to keep the matrix fast.
        (HubWireProtocol, HubIdentityKind)[] ways =
        [
            (HubWireProtocol.Json, HubIdentityKind.Query),
            (HubWireProtocol.MessagePack, HubIdentityKind.Query),
            (HubWireProtocol.MessagePack, HubIdentityKind.HeaderOverQueryOfB),
            (HubWireProtocol.Json, HubIdentityKind.Token),
            (HubWireProtocol.MessagePack, HubIdentityKind.SignedUrl),
        ];
        foreach (var c in HubMatrix.All)
        {
            foreach (var (protocol, identity) in ways)
            {
                rows.Add(c.Id, protocol, identity);
            }
        }
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public async Task ProjectANeverReachesProjectB(string @case, HubWireProtocol protocol, HubIdentityKind identity)
    {
        var c = HubMatrix.Find(@case);
        var jwt = identity is HubIdentityKind.Token or HubIdentityKind.SignedUrl;
        var host = jwt ? world.Jwt : world.NoAuth;
        var b = jwt ? world.JwtB : world.NoAuthB;
        var a = await TenantA.CreateAsync(host, jwt, share: identity == HubIdentityKind.SignedUrl, data: false);
        var client = "&client_id=" + a.Client.ClientId;
        SignedScope? scope = null;
        var (path, headers) = identity switch
        {
            HubIdentityKind.Query => ($"/hubs/queues?project_id={a.Project}&roles=admin{client}", new Dictionary<string, string>()),
            HubIdentityKind.HeaderOverQueryOfB => ($"/hubs/queues?project_id={b.Project}&roles=admin{client}",
                new Dictionary<string, string> { ["X-Project-ID"] = a.Project }),
            HubIdentityKind.Token => ($"/hubs/queues?access_token={a.Token}{client}", []),
            _ => (SignedPath(a, out scope) + client, []),
        };
        // A's own resources only matter to a case whose first call (its method) gets through a pre-signed URL's scope.
        if (scope is null || (HubScopes.For(c.Method, [TenantB.Shared, a.ClaimId]) is { } first && scope.Allows(first.Method, first.Path)))
        {
            await a.PopulateAsync();
        }
        await using var hub = await host.ConnectHubAsync(protocol, path, o =>
        {
            foreach (var (name, value) in headers)
            {
                o.Headers[name] = value;
            }
        });
        var run = new HubRun(a, b, hub, scope);
        using (run.RecordPushes())
        {
            try
            {
                await c.Run(run);
            }
            catch (OutOfScopeException)
            {
                // Refused with 404, as a call outside a pre-signed URL must be.
            }
            // Whatever B's data might have been pushed by now would have been pushed with A's own.
            // What A sent earlier in the case (B's subscriber URL, say) is A's to see again in A's own resources.
            var sent = string.Empty;
            foreach (var (call, request, answer) in run.Exchanges)
            {
                sent += request;
                Leaks.AssertNone(b, sent, answer, $"{call} ({c.Id})");
            }
            foreach (var push in run.Pushes)
            {
                Leaks.AssertNone(b, string.Empty, push, $"a push to A ({c.Id})");
                Assert.DoesNotContain("B-", push, StringComparison.Ordinal);
            }
        }
        // B's stored state is exact; B's own REST view of it is read back in the REST matrix.
        await world.AssertUnchangedAsync(b, c.Id, view: false);
    }

    private static string SignedPath(TenantA a, out SignedScope scope)
    {
        var signed = a.SignedHeaders();
        scope = new SignedScope(signed["URL-Methods"].Split(','), signed["URL-Paths"].Split(','));
        return $"/hubs/queues?project_id={a.Project}&{SignedQuery(signed)}";
    }

    /// <summary>The URL-* headers of a pre-signed URL as the hub takes them in the query string.</summary>
    internal static string SignedQuery(IReadOnlyDictionary<string, string> signed)
    {
        string Escaped(string header) => Uri.EscapeDataString(signed[header]);
        return $"url_signature={Escaped("URL-Signature")}&url_expires={Escaped("URL-Expires")}" +
            $"&url_methods={Escaped("URL-Methods")}&url_paths={Escaped("URL-Paths")}";
    }
}
