using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>A connection's identity is checked before the upgrade, fixed for its life, and scopes everything it sees.</summary>
public sealed class HubIdentityTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task ConnectingWithoutAProjectIsRefusedWith400BeforeTheUpgrade(HubWireProtocol protocol)
    {
        var refused = await RefusedAsync(() => server.Kestrel.ConnectHubAsync(protocol, $"/hubs/queues?client_id={Guid.NewGuid()}"));

        Assert.Equal(HttpStatusCode.BadRequest, refused);
    }

    [Theory, BothProtocols]
    public async Task ConnectingWithAMalformedClientIdIsRefusedWith400BeforeTheUpgrade(HubWireProtocol protocol)
    {
        var refused = await RefusedAsync(() => server.Kestrel.ConnectHubAsync(protocol, "/hubs/queues?project_id=p&client_id=not-a-uuid"));

        Assert.Equal(HttpStatusCode.BadRequest, refused);
    }

    [Theory, BothProtocols]
    public async Task NegotiateIsRefusedWithRestsStatusAndErrorBody(HubWireProtocol protocol)
    {
        // The official client reports the status; the body (REST's error) is there for clients that read it.
        var refused = await RefusedAsync(() => server.Factory.ConnectHubAsync(protocol, "/hubs/queues?project_id=p", o => o.Negotiate = true));
        using var http = server.Factory.CreateClient();
        using var negotiate = await http.PostAsync("/hubs/queues/negotiate?negotiateVersion=1&project_id=p", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(HttpStatusCode.BadRequest, negotiate.StatusCode);
        Assert.Contains("Missing header value", await negotiate.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task IdentityComesFromHeadersForClientsThatCanSetThem(HubWireProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await server.Kestrel.ConnectHubAsync(protocol, "/hubs/queues", o =>
        {
            o.Headers["X-Project-ID"] = rest.Project;
            o.Headers["Client-ID"] = rest.ClientId;
        });

        await hub.InvokeAsync("PostMessages", "hdr", new[] { new { body = "from headers" } });

        var listed = (await rest.GetAsync("/v2/queues/hdr/messages?echo=true")).Json!;
        Assert.Equal("from headers", listed["messages"]![0]!["body"]!.GetValue<string>());
    }

    [Theory, BothProtocols]
    public async Task AConnectionSeesOnlyItsOwnProjectsQueuesMessagesAndClaims(HubWireProtocol protocol)
    {
        using var mine = server.NewProject();
        using var theirs = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, mine);
        var ids = await theirs.PostMessagesAsync("shared", "theirs");
        var (claimId, _) = await Rest.RestTestHelpers.ClaimAsync(theirs, "shared");

        Assert.Empty((await hub.InvokeAsync<JsonNode>("ListQueues", (object?)null))["queues"]!.AsArray());
        var listed = await hub.InvokeAsync<JsonNode>("ListMessages", "shared", new { echo = true, include_claimed = true });
        Assert.Empty(listed["messages"]!.AsArray());
        Assert.Equal(0, (await hub.InvokeAsync<QueueStatsView>("GetQueueStats", "shared")).Messages.Total);
        Assert.Equal(404, (await ZaqarErrorAsync(() => hub.InvokeAsync("GetMessage", "shared", ids[0]))).Status);
        Assert.Equal(404, (await ZaqarErrorAsync(() => hub.InvokeAsync("GetClaim", "shared", claimId))).Status);
        Assert.Null(await hub.InvokeAsync<ClaimCreatedView?>("CreateClaim", "shared", null));

        await hub.InvokeAsync("ReleaseClaim", "shared", claimId);
        await hub.InvokeAsync("DeleteMessage", "shared", ids[0], claimId);
        await hub.InvokeAsync("PurgeQueue", "shared", null);
        await hub.InvokeAsync("DeleteQueue", "shared");

        var stats = (await theirs.GetAsync("/v2/queues/shared/stats")).Json!["messages"]!;
        Assert.Equal((1, 1), (stats["total"]!.GetValue<int>(), stats["claimed"]!.GetValue<int>()));
    }
}
