using System.Text.Json.Nodes;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Sockets;
using Zaqar.Hub.Tests.Sockets;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// Every case of <see cref="SocketMatrix"/> (issue 13) on Zaqar's websocket transport, with A's frames naming A's project
/// each way they can, in JSON and MessagePack frames. After each: no answer to A and nothing pushed to A holds B's data
/// that A did not send, and B's state is exactly what it was.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class SocketIsolationTests(IsolationWorld world)
{
    public static TheoryData<string, bool, SocketIdentityKind> Rows()
    {
        var rows = new TheoryData<string, bool, SocketIdentityKind>();
        // Both frame types with the plain headers; each other way of naming the project with one of them (the frame type
        // only changes the encoding, not who the caller is), to keep the matrix fast.
        (bool Binary, SocketIdentityKind Identity)[] ways =
            [(false, SocketIdentityKind.Headers), (true, SocketIdentityKind.Headers), (false, SocketIdentityKind.Token), (true, SocketIdentityKind.SignedUrl)];
        foreach (var c in SocketMatrix.All)
        {
            foreach (var (binary, identity) in ways)
            {
                rows.Add(c.Id, binary, identity);
            }
        }
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public async Task ProjectANeverReachesProjectB(string @case, bool binary, SocketIdentityKind identity)
    {
        var c = SocketMatrix.Find(@case);
        var jwt = identity != SocketIdentityKind.Headers;
        var host = jwt ? world.Jwt : world.NoAuth;
        var b = jwt ? world.JwtB : world.NoAuthB;
        var a = await TenantA.CreateAsync(host, jwt, share: identity == SocketIdentityKind.SignedUrl);
        await using var client = await SocketTestClient.ConnectAsync(host, a.Project);
        var headers = new JsonObject { ["Client-ID"] = a.Client.ClientId, ["X-Project-ID"] = a.Project };
        SignedScope? scope = null;
        switch (identity)
        {
            case SocketIdentityKind.Headers:
                headers["X-Roles"] = "admin";
                break;
            case SocketIdentityKind.Token:
                var authenticated = await client.CallAsync(
                    "authenticate", binary: binary, headers: new JsonObject { ["X-Project-ID"] = a.Project, ["X-Auth-Token"] = a.Token });
                Assert.Equal(200, authenticated.Status());
                break;
            default:
                foreach (var (name, value) in a.SignedHeaders())
                {
                    headers[name] = value;
                }
                scope = new SignedScope(headers["URL-Methods"]!.GetValue<string>().Split(','), headers["URL-Paths"]!.GetValue<string>().Split(','));
                break;
        }
        var run = new SocketRun(a, b, client, binary, headers, scope);
        try
        {
            await c.Run(run);
        }
        catch (OutOfScopeException)
        {
            // Refused with 403 "Not authentified.", as a frame outside a pre-signed URL must be.
        }
        // The answers echo A's requests: what A sent earlier in the case is A's to see again.
        Leaks.AssertNone(b, run.Exchanges, run.Pushes, c.Id);
        await world.AssertUnchangedAsync(b, c.Id, view: false);
    }

    [Fact]
    public void EveryWebSocketActionHasAnIsolationCase()
    {
        var covered = SocketMatrix.All.Select(c => c.Action).ToHashSet();
        var missing = SocketSchema.Actions.Keys.Except(covered).Order().ToList();
        var stale = covered.Except(SocketSchema.Actions.Keys).Order().ToList();
        Assert.True(missing.Count == 0, "Websocket actions without an isolation case (add them to SocketMatrix):\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "SocketMatrix cases for actions the transport does not have:\n" + string.Join("\n", stale));
    }
}
