using System.Net;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// A hub connection can not be made as project B with A's credentials (issue #6): a token or pre-signed URL of A that
/// names B (in the query string or a header) is refused before the upgrade, with REST's status, and B is left as it was.
/// A REST caller with A's token gets A's data or a refusal, however it repeats X-Project-ID.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class IdentityIsolationTests(IsolationWorld world)
{
    [Theory, BothProtocols]
    public async Task AHubConnectionWithAsTokenNamingBIsRefused(HubWireProtocol protocol)
    {
        var a = await TenantA.CreateAsync(world.Jwt, jwt: true, share: false, data: false);
        var b = world.JwtB;

        var query = $"access_token={a.Token}&client_id={a.Client.ClientId}";

        var byQuery = await RefusedAsync(protocol, $"/hubs/queues?{query}&project_id={b.Project}");
        var byHeader = await RefusedAsync(protocol, $"/hubs/queues?{query}", ("X-Project-ID", b.Project));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (byQuery, byHeader));
        await world.AssertUnchangedAsync(b, "connecting with A's token naming B", view: false);
    }

    [Theory, BothProtocols]
    public async Task AHubConnectionWithAsPreSignedUrlNamingBIsRefused(HubWireProtocol protocol)
    {
        var a = await TenantA.CreateAsync(world.Jwt, jwt: true, share: true, data: false);
        var b = world.JwtB;
        var query = HubIsolationTests.SignedQuery(a.SignedHeaders()) + $"&client_id={a.Client.ClientId}";

        var byQuery = await RefusedAsync(protocol, $"/hubs/queues?{query}&project_id={b.Project}");
        var byHeader = await RefusedAsync(protocol, $"/hubs/queues?{query}&project_id={a.Project}", ("X-Project-ID", b.Project));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (byQuery, byHeader));
        await world.AssertUnchangedAsync(b, "connecting with A's pre-signed URL naming B", view: false);
    }

    [Theory, BothProtocols]
    public async Task AHubConnectionWithATokenForBFromAnotherKeyIsRefused(HubWireProtocol protocol)
    {
        var b = world.JwtB;
        var forged = Tokens.Issue(b.Project, key: Convert.ToBase64String("a-key-that-is-not-the-services-key!!"u8.ToArray()));

        var refused = await RefusedAsync(protocol, $"/hubs/queues?access_token={forged}&client_id={Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Unauthorized, refused);
        await world.AssertUnchangedAsync(b, "connecting with a forged token of B", view: false);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARestCallerWithAsTokenGetsAsDataOrARefusalHoweverItRepeatsXProjectId(bool bLast)
    {
        var a = await TenantA.CreateAsync(world.Jwt, jwt: true, share: false);
        var b = world.JwtB;
        using var http = world.Jwt.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/queues/{Shared}/messages?echo=true&include_claimed=true&limit=20");
        request.Headers.Add("Client-ID", a.Client.ClientId);
        request.Headers.Authorization = new("Bearer", a.Token);
        request.Headers.Add("X-Project-ID", bLast ? [a.Project, b.Project] : [b.Project, a.Project]);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Leaks.AssertNone(b, string.Empty, text, "a request repeating X-Project-ID");
        var asOwn = response.StatusCode == HttpStatusCode.OK && a.MessageIds.All(id => text.Contains(id, StringComparison.Ordinal));
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden || asOwn, $"{(int)response.StatusCode}: {text}");
        await world.AssertUnchangedAsync(b, "a request repeating X-Project-ID", view: false);
    }

    /// <summary>Connects (negotiating first, so the refusal's status is seen) and returns the status it was refused with.</summary>
    private async Task<HttpStatusCode> RefusedAsync(
        HubWireProtocol protocol, string path, (string Name, string Value)? header = null) =>
        await HubTestKit.RefusedAsync(() => world.Jwt.ConnectHubAsync(protocol, path, o =>
        {
            o.Negotiate = true;
            if (header is { } h)
            {
                o.Headers[h.Name] = h.Value;
            }
        }));
}
