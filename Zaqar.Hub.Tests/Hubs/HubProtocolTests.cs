using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>Protocol versions (1, and 2 with stateful reconnect), Ack and Sequence messages, and framing into the server.</summary>
public sealed class HubProtocolTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task Version2HandshakeIsAcceptedWithoutNegotiate(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.Version = 2);

        Assert.False(hub.UsesStatefulReconnect);
        Assert.True(await hub.InvokeAsync<bool>("Ping"));
    }

    [Theory, BothProtocols]
    public async Task AnUnsupportedVersionIsRefusedInTheHandshake(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();

        var refused = await Assert.ThrowsAsync<HubConnectException>(() =>
            server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.Version = 3));

        Assert.Contains("does not support version 3", refused.Message, StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task AcksAndSequencesOnAConnectionWithoutStatefulReconnectChangeNothing(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.Version = 2);
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = 1 } });

        await hub.SendRawAsync(hub.Encode(new AckMessage(1)), TestContext.Current.CancellationToken);
        await hub.SendRawAsync(hub.Encode(new SequenceMessage(2)), TestContext.Current.CancellationToken);
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = 2 } });

        Assert.Equal(2, (await hub.InvokeAsync<QueueStatsView>("GetQueueStats", "q")).Messages.Total);
        Assert.False(hub.Closed.IsCompleted);
    }

    [Theory, BothProtocols]
    public async Task StatefulReconnectConnectionAcksAndServesCallsAndPushes(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o =>
        {
            o.Version = 2;
            o.UseStatefulReconnect = true;
        });
        using var pushes = new PushRecorder(hub);
        Assert.True(hub.UsesStatefulReconnect);

        await hub.InvokeAsync("Subscribe", "q");                                    // message 1
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = "one" } }); // message 2
        Assert.Equal(["\"one\""], await pushes.NextBodiesAsync());
        // What a client sends after a reconnect: the id of its next message. Nothing was lost, so nothing is skipped.
        await hub.SendRawAsync(hub.Encode(new SequenceMessage(3)), TestContext.Current.CancellationToken);
        await hub.InvokeAsync("PostMessages", "q", new[] { new { body = "two" } }); // message 3

        Assert.Equal(["\"two\""], await pushes.NextBodiesAsync());
        Assert.Equal(2, (await hub.InvokeAsync<QueueStatsView>("GetQueueStats", "q")).Messages.Total);
    }

    [Theory, BothProtocols]
    public async Task NegotiatedVersion1ConnectionServesAsADirectOne(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest, configure: o => o.Negotiate = true);

        Assert.False(hub.UsesStatefulReconnect);
        Assert.True(await hub.InvokeAsync<bool>("Ping"));
    }

    [Theory, BothProtocols]
    public async Task SeveralMessagesInOneWebSocketMessageAndOneMessageSplitAcrossFramesAllReachTheHub(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        ReadOnlyMemory<byte> Post(string body) => hub.Encode(new InvocationMessage("PostMessages", ["q", new[] { new { body } }]));

        byte[] both = [.. Post("a").Span, .. Post("b").Span];
        await hub.SendRawAsync(both, TestContext.Current.CancellationToken);
        var c = Post("c");
        await hub.SendRawAsync([c[..3], c[3..10], c[10..]], TestContext.Current.CancellationToken);
        var d = Post("d");
        await hub.SendRawAsync(d[..5], TestContext.Current.CancellationToken);
        await hub.SendRawAsync(d[5..], TestContext.Current.CancellationToken);

        // Calls on one connection run in order: when this answers, the four sends before it are done.
        var page = await hub.InvokeAsync<MessagePageView>("ListMessages", "q", new ListMessagesArgs(Echo: true));
        Assert.Equal(["\"a\"", "\"b\"", "\"c\"", "\"d\""], page.Messages.Select(m => m.Body.GetRawText()));
    }
}
