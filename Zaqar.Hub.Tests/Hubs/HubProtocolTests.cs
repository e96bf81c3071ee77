using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>Protocol versions (1, and 2 with stateful reconnect), Ack and Sequence messages, and framing into the server.</summary>
public sealed class HubProtocolTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task Version2HandshakeIsAcceptedWithoutNegotiate(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest), version: 2);

        Assert.True(((JsonNode)(await hub.InvokeAsync("Ping")).Result!).GetValue<bool>());
    }

    [Theory, BothProtocols]
    public async Task AnUnsupportedVersionIsRefusedInTheHandshake(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();

        var refused = await Assert.ThrowsAsync<HubException>(() => RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest), version: 3));

        Assert.Contains("does not support version 3", refused.Message, StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task AcksAndSequencesOnAConnectionWithoutStatefulReconnectChangeNothing(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest), version: 2);
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = 1 } });

        await hub.SendRawAsync(hub.Encode(new AckMessage(1)), TestContext.Current.CancellationToken);
        await hub.SendRawAsync(hub.Encode(new SequenceMessage(2)), TestContext.Current.CancellationToken);
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = 2 } });

        var stats = (JsonNode)(await hub.InvokeAsync("GetQueueStats", "q")).Result!;
        Assert.Equal(2, stats["messages"]!["total"]!.GetValue<int>());
        Assert.False(hub.Closed.IsCompleted);
    }

    [Theory, BothProtocols]
    public async Task AStatefulReconnectConnectionServesCallsAndPushes(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.UseStatefulReconnect = true);
        using var pushes = new PushRecorder(hub);

        await hub.InvokeAsync("Subscribe", "q");
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = "one" } });
        Assert.Equal(["\"one\""], await pushes.NextBodiesAsync());
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = "two" } });

        Assert.Equal(["\"two\""], await pushes.NextBodiesAsync());
        Assert.Equal(2, (await hub.InvokeAsync<QueueStatsView>("GetQueueStats", "q")).Messages.Total);
    }

    [Theory, BothProtocols]
    public async Task NegotiatedConnectionServesAsADirectOne(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.Negotiate = true);

        Assert.True(await hub.InvokeAsync<bool>("Ping"));
    }

    [Theory, BothProtocols]
    public async Task SeveralMessagesInOneWebSocketMessageAndOneMessageSplitAcrossFramesAllReachTheHub(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest));
        ReadOnlyMemory<byte> Post(string body) => hub.Encode(new InvocationMessage("PostMessages", ["q", new[] { new { body } }]));

        byte[] both = [.. Post("a").Span, .. Post("b").Span];
        await hub.SendRawAsync(both, TestContext.Current.CancellationToken);
        var c = Post("c");
        await hub.SendRawAsync([c[..3], c[3..10], c[10..]], TestContext.Current.CancellationToken);
        var d = Post("d");
        await hub.SendRawAsync(d[..5], TestContext.Current.CancellationToken);
        await hub.SendRawAsync(d[5..], TestContext.Current.CancellationToken);

        // Calls on one connection run in order: when this answers, the four sends before it are done.
        var page = (JsonNode)(await hub.InvokeAsync("ListMessages", "q", new ListMessagesArgs(Echo: true))).Result!;
        Assert.Equal(["\"a\"", "\"b\"", "\"c\"", "\"d\""], page["messages"]!.AsArray().Select(m => m!["body"]!.ToJsonString()));
    }
}
