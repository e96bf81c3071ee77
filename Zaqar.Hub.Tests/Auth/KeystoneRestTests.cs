using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>Auth:Mode=Keystone on REST (issue 15), against a real Keystone: X-Auth-Token decides the project and roles.</summary>
[Collection(KeystoneCollection.Name)]
public sealed class KeystoneRestTests(KeystoneDeployment deployment)
{
    private KeystoneServer Keystone => deployment.Keystone;

    private static string Queue() => "q-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task AValidTokenWorksAndSeesOnlyItsOwnProject()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var queue = Queue();
        using var a = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfA));
        using var b = deployment.Rest(Keystone.MemberOfB, await Keystone.IssueAsync(Keystone.MemberOfB));

        await a.PostMessagesAsync(queue, "for A only");

        Assert.Contains("for A only", (await a.GetAsync($"/v2/queues/{queue}/messages?echo=true")).Text, StringComparison.Ordinal);
        var listedByB = await b.GetAsync("/v2/queues?limit=20");
        Assert.Equal(HttpStatusCode.OK, listedByB.Status);
        Assert.DoesNotContain(queue, listedByB.Text, StringComparison.Ordinal);
        var readByB = await b.GetAsync($"/v2/queues/{queue}/messages?echo=true");
        Assert.DoesNotContain("for A only", readByB.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherProjectsTokenCannotNameTheFirstProject()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var queue = Queue();
        using var a = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfA));
        await a.PostMessagesAsync(queue, "for A only");
        // B's token with A's project id in X-Project-ID: the header may only confirm the token's project.
        using var bNamingA = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfB));

        (await bNamingA.GetAsync($"/v2/queues/{queue}/messages?echo=true")).AssertError(HttpStatusCode.Forbidden, "Not authorized");
    }

    [Fact]
    public async Task MissingAndUnknownTokensAre401WithZaqarsErrorBody()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        using var none = new ZaqarClient(deployment.Factory.CreateClient(), Keystone.MemberOfA.ProjectId, Guid.NewGuid().ToString());
        using var garbage = deployment.Rest(Keystone.MemberOfA, "gAAAAAB-not-a-keystone-token");

        var refused = (await none.GetAsync("/v2/queues")).AssertError(HttpStatusCode.Unauthorized, "Unauthorized");
        (await garbage.GetAsync("/v2/queues")).AssertError(HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("Bearer", refused.Headers["WWW-Authenticate"]);
    }

    [Fact]
    public async Task AnExpiredTokenIs401()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var (token, expiresAt) = await Keystone.IssueShortLivedAsync(Keystone.MemberOfA, KeystoneDeployment.ShortLife);
        using var a = deployment.Rest(Keystone.MemberOfA, token);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/v2/queues")).Status);

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        (await a.GetAsync("/v2/queues")).AssertError(HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task ARevokedTokenIsRefusedOnceItsCachedValidationEnds()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var token = await Keystone.IssueAsync(Keystone.MemberOfA);
        using var a = deployment.Rest(Keystone.MemberOfA, token);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync("/v2/queues")).Status);

        await Keystone.RevokeAsync(token);

        Assert.True(await KeystoneDeployment.EventuallyAsync(async () => (await a.GetAsync("/v2/queues")).Status == HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task TheAdminRoleReachesAdminRoutesAndAMemberGets403()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        using var admin = deployment.Rest(Keystone.AdminOfA, await Keystone.IssueAsync(Keystone.AdminOfA));
        using var member = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfA));

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v2/pools")).Status);
        (await member.GetAsync("/v2/pools")).AssertError(HttpStatusCode.Forbidden, "Not authorized");
        // X-Roles means nothing once Keystone decides.
        member.Http.DefaultRequestHeaders.Add("X-Roles", "admin");
        (await member.GetAsync("/v2/pools")).AssertError(HttpStatusCode.Forbidden, "Not authorized");
    }

    [Fact]
    public async Task WhileKeystoneIsDownAnUncheckedTokenIs503AndWorksOnceKeystoneIsBack()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        using var a = deployment.Rest(Keystone.MemberOfA, await Keystone.IssueAsync(Keystone.MemberOfA));

        await Keystone.StopAsync();
        ZaqarClient.Response down;
        try
        {
            down = await a.GetAsync("/v2/queues");
        }
        finally
        {
            await Keystone.StartAsync();
        }

        down.AssertError(HttpStatusCode.ServiceUnavailable, "Service temporarily unavailable", "Keystone");
        Assert.True(await KeystoneDeployment.EventuallyAsync(async () => (await a.GetAsync("/v2/queues")).Status == HttpStatusCode.OK));
    }
}
