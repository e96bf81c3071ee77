using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Sockets;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>Auth:Mode=Keystone on Zaqar's websocket transport (issue 15): <c>authenticate</c> with a Keystone token in X-Auth-Token.</summary>
[Collection(KeystoneCollection.Name)]
public sealed class KeystoneSocketTests(KeystoneDeployment deployment)
{
    private KeystoneServer Keystone => deployment.Keystone;

    [Fact]
    public async Task AuthenticatingWithAKeystoneTokenScopesTheConnectionToItsProjectAndAnUnknownTokenIs401()
    {
        KeystoneDeployment.SkipWithoutKeystone();
        var project = Keystone.MemberOfA.ProjectId;
        await using var client = await SocketTestClient.ConnectAsync(deployment.Factory, project);
        await using var stranger = await SocketTestClient.ConnectAsync(deployment.Factory, project);
        var queue = "wq-" + Guid.NewGuid().ToString("N")[..10];

        var authenticated = await client.CallAsync("authenticate", headers: new JsonObject { ["X-Project-ID"] = project, ["X-Auth-Token"] = await Keystone.IssueAsync(Keystone.MemberOfA) });
        var refused = await stranger.CallAsync("authenticate", headers: new JsonObject { ["X-Project-ID"] = project, ["X-Auth-Token"] = "gAAAAAB-not-a-keystone-token" });

        Assert.Equal(200, authenticated.Status());
        Assert.Equal(201, (await client.CallAsync("queue_create", new { queue_name = queue })).Status());
        Assert.Equal((401, "Authentication failed."), (refused.Status(), refused.Error()));
        Assert.Equal(403, (await stranger.CallAsync("queue_list")).Status());
    }
}
