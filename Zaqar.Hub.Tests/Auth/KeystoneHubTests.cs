using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Hubs;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>
/// Auth:Mode=Keystone on the hub (issue 15), against a real Keystone: the token comes in the query string
/// (access_token), as a browser passes it, and goes through the same scheme as REST's X-Auth-Token.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class KeystoneHubTests(KeystoneDeployment deployment)
{
    private KeystoneServer Keystone => deployment.Keystone;

    private Task<HubClient> ConnectAsync(HubWireProtocol protocol, string token) =>
        deployment.Factory.ConnectHubAsync(protocol, KeystoneDeployment.HubPath(token), o => o.Negotiate = true);

    private Task<HttpStatusCode> RefusedAsync(string token) =>
        HubTestKit.RefusedAsync(() => ConnectAsync(HubWireProtocol.Json, token));

    [Theory, BothProtocols]
    public async Task AConnectionWithAValidTokenWorksInItsProjectAndSeesNoOtherProjects(HubWireProtocol protocol)
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var queue = "hq-" + Guid.NewGuid().ToString("N")[..10];
        await using var a = await ConnectAsync(protocol, await Keystone.IssueAsync(Keystone.MemberOfA));
        await using var b = await ConnectAsync(protocol, await Keystone.IssueAsync(Keystone.MemberOfB));

        await a.InvokeAsync<JsonNode>("PostMessages", queue, new[] { new { body = "for A only" } }).Within();

        var readByA = await a.InvokeAsync<JsonNode>("ListMessages", queue, new { echo = true }).Within();
        var readByB = await b.InvokeAsync<JsonNode>("ListMessages", queue, new { echo = true }).Within();
        Assert.Contains("for A only", readByA.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("for A only", readByB.ToJsonString(), StringComparison.Ordinal);
        using var rest = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfA));
        Assert.Contains("for A only", (await rest.GetAsync($"/v2/queues/{queue}/messages?echo=true")).Text, StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task TheAdminRoleReachesAdminMethodsAndAMemberGetsRests403(HubWireProtocol protocol)
    {
        KeystoneDeployment.SkipWithoutKeystone();
        await using var admin = await ConnectAsync(protocol, await Keystone.IssueAsync(Keystone.AdminOfA));
        await using var member = await ConnectAsync(protocol, await Keystone.IssueAsync(Keystone.MemberOfA));

        Assert.NotNull((await admin.InvokeAsync<JsonNode>("ListPools", (object?)null).Within())["pools"]);
        var refused = await HubTestKit.ZaqarErrorAsync(() => member.InvokeAsync<JsonNode>("ListPools", (object?)null));
        Assert.Equal((403, "Not authorized"), (refused.Status, refused.Title));
    }

    [Fact]
    public async Task AConnectionEndsWhenItsTokenExpiresAndTheTokenIsThenRefused()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var (token, _) = await Keystone.IssueShortLivedAsync(Keystone.MemberOfA, KeystoneDeployment.ShortLife);
        await using var hub = await ConnectAsync(HubWireProtocol.Json, token);

        var closed = await hub.Closed.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Contains("Authentication expired.", closed?.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedAsync(token));
    }

    [Fact]
    public async Task ARevokedTokenCanNoLongerConnectOnceItsCachedValidationEnds()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var token = await Keystone.IssueAsync(Keystone.MemberOfB);
        await (await ConnectAsync(HubWireProtocol.Json, token)).DisposeAsync();

        await Keystone.RevokeAsync(token);

        Assert.True(await KeystoneDeployment.EventuallyAsync(async () =>
        {
            try
            {
                // Still cached: admitted, and let go.
                await (await ConnectAsync(HubWireProtocol.Json, token)).DisposeAsync();
                return false;
            }
            catch (HttpRequestException refused)
            {
                return refused.StatusCode == HttpStatusCode.Unauthorized;
            }
        }));
    }

    [Fact]
    public async Task WhileKeystoneIsDownAConnectionWithAnUncheckedTokenIsRefused503()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var token = await Keystone.IssueAsync(Keystone.MemberOfB);

        await Keystone.StopAsync();
        HttpStatusCode refused;
        try
        {
            refused = await RefusedAsync(token);
        }
        finally
        {
            await Keystone.StartAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
    }
}
