using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Every route is scoped by X-Project-ID: ids of another project's messages and claims reach nothing.</summary>
public sealed class TenantIsolationTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AnotherProjectCannotReadOrDeleteMessagesByTheirIds()
    {
        using var owner = server.NewProject();
        using var stranger = server.NewProject();
        var ids = await owner.PostMessagesAsync("shared-name", 1, 2, 3);

        var one = await stranger.GetAsync($"/v2/queues/shared-name/messages/{ids[0]}");
        var many = await stranger.GetAsync($"/v2/queues/shared-name/messages?ids={string.Join(",", ids)}");
        var listed = await stranger.GetAsync("/v2/queues/shared-name/messages?echo=true&include_claimed=true");
        var deleteOne = await stranger.DeleteAsync($"/v2/queues/shared-name/messages/{ids[0]}");
        var deleteMany = await stranger.DeleteAsync($"/v2/queues/shared-name/messages?ids={ids[1]}");
        var pop = await stranger.DeleteAsync("/v2/queues/shared-name/messages?pop=5");
        var purge = await stranger.PostAsync("/v2/queues/shared-name/purge");

        one.AssertError(HttpStatusCode.NotFound, "Not found");
        many.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Empty(listed.Ids());
        Assert.Equal(HttpStatusCode.NoContent, deleteOne.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleteMany.Status);
        Assert.Equal("""{"messages":[]}""", pop.Text);
        Assert.Equal(HttpStatusCode.NoContent, purge.Status);
        Assert.Equal(0, await stranger.TotalAsync("shared-name"));
        Assert.Equal(3, await owner.TotalAsync("shared-name"));
    }

    [Fact]
    public async Task AnotherProjectCannotReadRenewOrReleaseAClaim()
    {
        using var owner = server.NewProject();
        using var stranger = server.NewProject();
        await owner.PostMessagesAsync("shared-name", 1);
        await stranger.PostMessagesAsync("shared-name", 2);
        var (claimId, _) = await owner.ClaimAsync("shared-name", new { ttl = 120 });

        var read = await stranger.GetAsync($"/v2/queues/shared-name/claims/{claimId}");
        var renew = await stranger.PatchAsync($"/v2/queues/shared-name/claims/{claimId}", new { ttl = 600 }, "application/json");
        var release = await stranger.DeleteAsync($"/v2/queues/shared-name/claims/{claimId}");
        var claim = await owner.GetAsync($"/v2/queues/shared-name/claims/{claimId}");

        read.AssertError(HttpStatusCode.NotFound, "Not found");
        renew.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Equal(HttpStatusCode.NoContent, release.Status);
        Assert.Equal(HttpStatusCode.OK, claim.Status);
        Assert.Equal(120, claim.Json!["ttl"]!.GetValue<int>());
        Assert.Single(claim.Ids());
    }
}
