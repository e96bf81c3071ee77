using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>The hub's claim methods, ping and health, each answering what REST answers.</summary>
public sealed class ClaimAndServiceMethodTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task CreateClaimHoldsMessagesAsRestsClaimDoes(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var ids = await rest.PostMessagesAsync("hub", "a", "b");
        await rest.PostMessagesAsync("rest", "a", "b");

        var claim = await hub.InvokeAsync<JsonNode>("CreateClaim", "hub", new ClaimArgs(Ttl: 60, Grace: 60, Limit: 1));
        var restClaim = await rest.PostAsync("/v2/queues/rest/claims?limit=1", new { ttl = 60, grace = 60 });

        var claimId = claim["claim_id"]!.GetValue<string>();
        Assert.Equal(
            Canonical(restClaim.Json!["messages"], "id", "href", "age"),
            Canonical(claim["messages"], "id", "href", "age"));
        Assert.Equal($"/v2/queues/hub/messages/{ids[0]}?claim_id={claimId}", claim["messages"]![0]!["href"]!.GetValue<string>());
        Assert.Equal(1, (await rest.GetAsync("/v2/queues/hub/stats")).Json!["messages"]!["claimed"]!.GetValue<int>());
        Assert.Null(await hub.InvokeAsync<JsonNode?>("CreateClaim", "empty", null));
        Assert.Equal(HttpStatusCode.NoContent, (await rest.PostAsync("/v2/queues/empty/claims", new { })).Status);
    }

    [Theory, BothProtocols]
    public async Task GetUpdateAndReleaseClaimActOnTheClaimRestSees(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await rest.PostMessagesAsync("q", "a");
        var claim = await hub.InvokeAsync<ClaimCreatedView>("CreateClaim", "q", new ClaimArgs(Ttl: 60));

        var read = await hub.InvokeAsync<JsonNode>("GetClaim", "q", claim.ClaimId);
        Assert.Equal(Canonical((await rest.GetAsync($"/v2/queues/q/claims/{claim.ClaimId}")).Json, "age"), Canonical(read, "age"));
        Assert.Equal($"/v2/queues/q/claims/{claim.ClaimId}", read["href"]!.GetValue<string>());

        await hub.InvokeAsync("UpdateClaim", "q", claim.ClaimId, new ClaimArgs(Ttl: 120));
        Assert.Equal(120, (await rest.GetAsync($"/v2/queues/q/claims/{claim.ClaimId}")).Json!["ttl"]!.GetValue<int>());

        await hub.InvokeAsync("ReleaseClaim", "q", claim.ClaimId);
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/v2/queues/q/claims/{claim.ClaimId}")).Status);
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["claimed"]!.GetValue<int>());
    }

    [Theory, BothProtocols]
    public async Task DeletingAClaimedMessageNeedsItsClaimIdAsOverRest(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var ids = await rest.PostMessagesAsync("q", "a");
        var claim = await hub.InvokeAsync<ClaimCreatedView>("CreateClaim", "q", null);

        var refused = await ZaqarErrorAsync(() => hub.InvokeAsync("DeleteMessage", "q", ids[0], null));

        Assert.Equal(RestError(await rest.DeleteAsync($"/v2/queues/q/messages/{ids[0]}")), refused);
        Assert.Equal(403, refused.Status);
        await hub.InvokeAsync("DeleteMessage", "q", ids[0], claim.ClaimId);
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/v2/queues/q/messages/{ids[0]}")).Status);
    }

    [Theory, BothProtocols]
    public async Task PingAnswersTrueWhenStorageAnswers(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        Assert.True(await hub.InvokeAsync<bool>("Ping"));
        Assert.Equal(HttpStatusCode.NoContent, (await rest.GetAsync("/v2/ping")).Status);
    }

    [Theory, BothProtocols]
    public async Task HealthAnswersAdminsWithRestsReportAndOthersWithRests403(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var admin = await server.Factory.ConnectHubAsync(protocol, rest, "&roles=admin");
        await using var plain = await server.Factory.ConnectHubAsync(protocol, rest);

        var health = await admin.InvokeAsync<JsonNode>("Health");
        rest.Http.DefaultRequestHeaders.Add("X-Roles", "admin");
        var restHealth = (await rest.GetAsync("/v2/health")).Json;
        Assert.Equal(Canonical(restHealth, "seconds", "ref"), Canonical(health, "seconds", "ref"));
        Assert.True(health["operation_status"]!["post_messages"]!["succeeded"]!.GetValue<bool>());

        var denied = await ZaqarErrorAsync(() => plain.InvokeAsync<HealthView>("Health"));
        rest.Http.DefaultRequestHeaders.Remove("X-Roles");
        Assert.Equal(RestError(await rest.GetAsync("/v2/health")), denied);
        Assert.Equal(403, denied.Status);
    }

    [Theory, BothProtocols]
    public async Task HealthIsNotFoundWithoutAdminModeAsOverRest(HubWireProtocol protocol)
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:AdminMode"] = "false" });
        using var rest = factory.NewProject();
        await using var admin = await factory.ConnectHubAsync(protocol, rest, "&roles=admin");

        var refused = await ZaqarErrorAsync(() => admin.InvokeAsync<HealthView>("Health"));

        rest.Http.DefaultRequestHeaders.Add("X-Roles", "admin");
        Assert.Equal(RestError(await rest.GetAsync("/v2/health")), refused);
        Assert.Equal(404, refused.Status);
    }
}
